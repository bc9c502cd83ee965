select
    content_hash as document_id,
    file_name,
    inbox_path,
    size_bytes,
    {{ epoch_ns_timestamp('mtime_ns') }} as file_modified_at,
    seen_at
from {{ source('raw', 'document_files') }}
