select
    content_hash as document_id,
    line_no,
    section_table,
    claim_kind,
    target_table,
    target_side,
    target_row,
    target_column,
    stated,
    numerator,
    denominator,
    change,
    direction,
    prior,
    text
from {{ source('raw', 'narrative_claims') }}
