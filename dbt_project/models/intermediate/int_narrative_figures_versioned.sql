-- Figures quoted in the prose of every version of every readable report (部门概况, 情况说明, 编制说明 …),
-- with whether the version is current and, if not, which version superseded it: one row per printed amount
-- or percentage, with what it measures, the phrase naming it and where it is printed. A figure whose subject
-- names a 类 / 款 / 项 the tables print links to its code. A view: fct_narrative_figure takes the current
-- versions, fct_narrative_figure_superseded the others.
{{ config(materialized='view') }}

with figures as (
    select * from {{ ref('int_narrative_figures_classified') }}
),

versions as (
    select document_id, is_current, superseded_by, superseded_at from {{ ref('int_report_versions') }}
)

select
    figures.figure_id,
    figures.document_id,
    figures.unit_id,
    figures.fiscal_year,
    figures.report_kind,
    figures.phase_code,
    figures.measure,
    figures.subject,
    figures.amount_wan,
    figures.value,
    figures.printed_unit,
    figures.reference_year,
    figures.classification_system || ':' || figures.classification_code as classification_id,
    figures.classification_code,
    figures.class_name,
    figures.kuan_name,
    figures.xiang_name,
    figures.section,
    figures.file_name as source_file,
    figures.page_no as source_page,
    figures.line_no as source_line,
    figures.figure_no as source_figure_no,
    figures.printed_text as source_value_text,
    figures.text as source_text,
    versions.is_current as is_current_version,
    versions.superseded_by as superseded_by_document_id,
    versions.superseded_at
from figures
inner join versions on figures.document_id = versions.document_id
