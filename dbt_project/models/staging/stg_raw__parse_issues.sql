select
    content_hash as document_id,
    file_name,
    table_code,
    line_no,
    page_no,
    message,
    line_text
from {{ source('raw', 'parse_issues') }}
