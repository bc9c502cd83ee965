with source as (
    select * from {{ source('raw', 'documents') }}
)

select
    content_hash as document_id,
    file_name,
    stored_path,
    size_bytes,
    parser_version,
    report_kind,
    unit_name,
    fiscal_year,
    status as parse_status,
    reason as parse_reason,
    n_tables,
    n_cells,
    source_format,
    n_pages,
    first_seen_at,
    parsed_at,
    unit_source,
    year_source,
    kind_source,
    coalesce(is_draft, false) as is_draft,
    draft_source,
    metadata_conflicts,
    report_id,
    report_part,
    report_unit_name,
    source_url
from source
