select
    content_hash as document_id,
    file_name,
    action,
    reason,
    acted_by,
    acted_at
from {{ source('raw', 'document_withdrawals') }}
