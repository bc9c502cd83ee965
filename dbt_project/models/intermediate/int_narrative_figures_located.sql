-- Figures quoted in the prose of readable documents, with the document's own unit name, year and kind and
-- where each is printed: what int_narrative_figures_classified adds its unit id and code to.
-- Incremental by document: a figure's row depends on nothing but its document's parse and the metadata
-- resolved for it (a change of either gives the document another parsed_at), so one new report does not
-- write the figures of every other again (6.8 million rows, with their sentences, at 100,000 reports).
-- What can change with other reports (the unit id a name resolves to, the code a 类/款/项 name resolves to)
-- is joined on in int_narrative_figures_classified. A change to the models, seeds or parser rebuilds it in
-- full (orchestration/assets.py); the post-hook forgets documents that are no longer readable.
{{ incremental_by_document() }}

with documents as (
    {{ documents_to_build() }}
),

figures as (
    {{ rows_of_documents_to_build(ref('stg_raw__narrative_figures')) }}
)

select
    substr(md5(figures.document_id || ':' || figures.figure_no), 1, 16) as figure_id,
    figures.document_id,
    documents.parsed_at as document_parsed_at,
    figures.file_name,
    documents.unit_name,
    documents.fiscal_year,
    documents.report_kind,
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
    figures.section,
    figures.figure_no,
    figures.line_no,
    figures.page_no,
    figures.text,
    {{ build_invocation_id() }}
from figures
inner join documents on figures.document_id = documents.document_id
