with source as (
    select * from {{ source('raw', 'manifest_entries') }}
)

select
    manifest_path,
    manifest_hash,
    line_no,
    file as listed_file,
    target_path,
    unit_name,
    fiscal_year,
    report_kind,
    source_url,
    problem,
    read_at,
    content_hash as document_id
from source
