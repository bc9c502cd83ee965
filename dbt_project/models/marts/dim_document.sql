-- Every inbox document, readable or not: its unit, year and kind with where each was read (precedence in
-- ingest/metadata.py, every reading in dim_document_metadata), the report it belongs to and its version.
with documents as (
    select * from {{ ref('stg_raw__documents') }}
),

units as (
    select * from {{ ref('int_units_resolved') }}
),

versions as (
    select * from {{ ref('int_report_versions') }}
)

select
    documents.document_id,
    documents.file_name,
    documents.stored_path,
    documents.size_bytes,
    documents.report_kind,
    units.unit_id,
    documents.unit_name,
    documents.fiscal_year,
    documents.parse_status,
    documents.parse_reason,
    documents.n_tables,
    documents.n_cells,
    documents.source_format,
    documents.n_pages,
    documents.parser_version,
    coalesce(versions.is_current, false) as is_current_version,
    versions.version_number,
    documents.first_seen_at,
    documents.parsed_at,
    documents.report_id,
    documents.report_part,
    documents.report_unit_name,
    documents.unit_source,
    documents.year_source,
    documents.kind_source,
    documents.is_draft,
    documents.draft_source,
    documents.metadata_conflicts,
    documents.source_url
from documents
left join units on documents.unit_name = units.unit_name
left join versions on documents.document_id = versions.document_id
