-- The fact grain with its keys and provenance columns, shared by the published facts and the quarantine,
-- with whether each amount's document is the current version of its report (which a later version changes).
-- A view: the tables reading it (fct_fiscal_amount, its quarantine, fct_fiscal_quantity) are where it is paid.
{{ config(materialized='view') }}

with amounts as (
    select * from {{ ref('int_amounts_classified') }}
),

versions as (
    select * from {{ ref('int_report_versions') }}
)

select
    amounts.fact_id,
    amounts.document_id,
    versions.is_current as is_current_version,
    amounts.unit_id,
    amounts.fiscal_year,
    amounts.phase_code,
    amounts.classification_system || ':' || amounts.classification_code as classification_id,
    amounts.classification_code,
    substr(md5(amounts.indicator_name), 1, 12) as indicator_id,
    amounts.indicator_name,
    amounts.line_item,
    amounts.side,
    amounts.amount_wan,
    amounts.amount_printed,
    amounts.measure_code,
    amounts.file_name as source_file,
    amounts.table_code as source_table,
    amounts.row_label as source_row_label,
    amounts.row_code as source_row_code,
    amounts.row_number as source_row_number,
    amounts.column_path as source_column,
    amounts.column_number as source_column_number,
    amounts.line_no as source_line,
    amounts.page_no as source_page,
    amounts.cell_box as source_cell_box,
    amounts.value_text as source_value_text,
    amounts.printed_unit as source_unit
from amounts
inner join versions on amounts.document_id = versions.document_id
