-- Indicator nodes of every readable document version, with unit and year, stable ids for their
-- paths, and the score of an inner node derived from its leaves where the table prints none. What the
-- score rules audit; which version is current is decided after the audit (int_performance_indicators_resolved).
-- Incremental by document (macros/incremental_by_document.sql): a refresh scores only the documents whose parse this
-- table does not hold yet (a node's score depends on its own document's nodes only); a change to the
-- models, seeds or parser rebuilds it in full, and the post-hook forgets documents no longer readable.
{{ incremental_by_document() }}

with documents as (
    {{ documents_to_build() }}
),

indicators as (
    {{ rows_of_documents_to_build(ref('stg_raw__performance_indicators')) }}
),

tables as (
    select * from {{ ref('stg_raw__performance_tables') }}
),

units as (
    select * from {{ ref('int_units_resolved') }}
),

leaf_scores as (
    select
        nodes.document_id,
        nodes.table_code,
        nodes.position,
        -- summed exactly: a float sum depends on the order of the rows, which no engine promises
        {{ exact_sum('leaves.score') }} as leaves_score
    from indicators as nodes
    inner join indicators as leaves
        on nodes.document_id = leaves.document_id
        and nodes.table_code = leaves.table_code
        and leaves.level > nodes.level
        and starts_with(leaves.indicator_path, nodes.indicator_path || ' / ')
    where leaves.score is not null
    group by 1, 2, 3
)

select
    md5(concat_ws('|', indicators.document_id, indicators.table_code, indicators.position)) as score_fact_id,
    indicators.document_id,
    indicators.file_name,
    units.unit_id,
    documents.unit_name,
    documents.fiscal_year,
    indicators.table_code,
    tables.table_kind,
    coalesce(tables.scope_name, '部门整体') as scope_name,
    substr(md5('performance|' || indicators.indicator_path), 1, 12) as indicator_id,
    case when indicators.parent_path is not null then substr(md5('performance|' || indicators.parent_path), 1, 12) end
        as parent_indicator_id,
    indicators.level,
    indicators.indicator_name,
    indicators.indicator_path,
    indicators.parent_path,
    indicators.position,
    indicators.weight,
    indicators.score as score_printed,
    coalesce(indicators.score, leaf_scores.leaves_score) as score,
    indicators.score is null and leaf_scores.leaves_score is not null as score_is_derived,
    {{ round_double('coalesce(indicators.score, leaf_scores.leaves_score) / nullif(indicators.weight, 0)', 4) }} as score_ratio,
    indicators.description,
    indicators.scoring_standard,
    indicators.target_text,
    indicators.actual_text,
    indicators.deviation_reason,
    indicators.line_no,
    indicators.page_no,
    documents.parsed_at as document_parsed_at,
    {{ build_invocation_id() }}
from indicators
inner join tables
    on indicators.document_id = tables.document_id
    and indicators.table_code = tables.table_code
inner join documents on indicators.document_id = documents.document_id
inner join units on documents.unit_name = units.unit_name
left join leaf_scores
    on indicators.document_id = leaf_scores.document_id
    and indicators.table_code = leaf_scores.table_code
    and indicators.position = leaf_scores.position
