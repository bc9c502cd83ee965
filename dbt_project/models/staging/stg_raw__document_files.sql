select
    content_hash as document_id,
    file_name,
    inbox_path,
    size_bytes,
    epoch_ms(mtime_ns // 1000000) as file_modified_at,
    seen_at
from {{ source('raw', 'document_files') }}
