with source as (
    select * from {{ source('raw', 'metadata_candidates') }}
)

select
    content_hash as document_id,
    field as metadata_field,
    value as candidate_value,
    source as candidate_source,
    line_no,
    page_no,
    evidence,
    n_printed
from source
