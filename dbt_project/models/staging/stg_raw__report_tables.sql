select
    content_hash as document_id,
    table_code,
    title,
    printed_number,
    printed_unit,
    first_line,
    last_line,
    first_page,
    last_page,
    n_cells,
    n_issues,
    notes
from {{ source('raw', 'report_tables') }}
