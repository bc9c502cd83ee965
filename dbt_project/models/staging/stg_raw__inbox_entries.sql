select
    inbox_root,
    entry_path,
    entry_kind,
    action,
    reason,
    inbox_path,
    file_name,
    size_bytes,
    first_seen_at,
    last_seen_at
from {{ source('raw', 'inbox_entries') }}
