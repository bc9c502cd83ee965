select
    content_hash as document_id,
    file_name,
    table_code,
    table_kind,
    title,
    scope_name,
    first_line,
    last_line,
    stated_total,
    stated_total_line,
    stated_weight_total,
    n_indicators,
    recoverable,
    reason
from {{ source('raw', 'performance_tables') }}
