-- One row per score table of the current report versions: the stated total next to the sum of
-- the printed scores, and whether the table's scores are published or held back (and why).
with tables as (
    select * from {{ ref('stg_raw__performance_tables') }}
    where table_kind <> 'target_declaration'
),

documents as (
    select
        document_id,
        unit_name,
        fiscal_year
    from {{ ref('int_report_versions') }}
    where is_current
),

leaves as (
    select
        document_id,
        table_code,
        {{ exact_sum('score_printed') }} as printed_scores_sum,
        count(*) filter (where level = 3) as n_level3
    from {{ ref('int_performance_indicators_resolved') }}
    group by 1, 2
),

quarantined as (
    select * from {{ source('audit', 'quarantined_scope') }}
    where line_no is null  -- score tables are held back whole
)

select
    tables.document_id || ':' || tables.table_code as score_table_id,
    documents.unit_name,
    documents.fiscal_year,
    coalesce(tables.scope_name, '部门整体') as scope_name,
    tables.table_code,
    tables.table_kind,
    tables.title,
    tables.stated_total,
    tables.stated_total_line,
    tables.stated_weight_total,
    leaves.printed_scores_sum,
    coalesce(leaves.n_level3, 0) as n_level3_indicators,
    tables.recoverable,
    tables.reason as unrecoverable_reason,
    case when quarantined.document_id is not null then 'held_back' else 'published' end as publication_status,
    quarantined.rule_ids as held_back_by,
    tables.file_name as source_file,
    tables.first_line as source_first_line,
    tables.document_id
from tables
inner join documents on tables.document_id = documents.document_id
left join leaves
    on tables.document_id = leaves.document_id
    and tables.table_code = leaves.table_code
left join quarantined
    on tables.document_id = quarantined.document_id
    and tables.table_code = quarantined.table_code
