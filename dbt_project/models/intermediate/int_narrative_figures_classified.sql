-- Figures quoted in the prose of readable documents, with their unit and the classification code their
-- subject names. A view over the figures' own rows (int_narrative_figures_located, incremental by
-- document), the unit id their document's unit name resolves to (int_units_resolved) and the code their
-- 类 / 款 / 项 names resolve to (int_narrative_figure_codes): the two that other reports can change are joined
-- on whenever it is read, so nothing of an old report goes stale when a new one arrives.
{{ config(materialized='view') }}

with figures as (
    select * from {{ ref('int_narrative_figures_located') }}
),

units as (
    select * from {{ ref('int_units_resolved') }}
),

codes as (
    select * from {{ ref('int_narrative_figure_codes') }}
)

select
    figures.figure_id,
    figures.document_id,
    figures.file_name,
    units.unit_id,
    figures.unit_name,
    figures.fiscal_year,
    figures.report_kind,
    figures.phase_code,
    figures.measure,
    figures.subject,
    figures.value,
    figures.printed_unit,
    figures.printed_text,
    figures.amount_wan,
    figures.reference_year,
    figures.class_name,
    figures.kuan_name,
    figures.xiang_name,
    codes.classification_system,
    codes.classification_code,
    figures.section,
    figures.figure_no,
    figures.line_no,
    figures.page_no,
    figures.text
from figures
inner join units on figures.unit_name = units.unit_name
left join codes on figures.figure_id = codes.figure_id
