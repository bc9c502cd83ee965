with source as (
    select * from {{ source('raw', 'document_pages') }}
)

select
    content_hash as document_id,
    page_no,
    first_line,
    last_line
from source
