with documents as (
    select * from {{ ref('stg_raw__documents') }}
),

units as (
    select * from {{ ref('int_units_resolved') }}
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
    documents.parser_version,
    documents.first_seen_at,
    documents.parsed_at
from documents
left join units on documents.unit_name = units.unit_name
