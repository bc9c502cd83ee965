-- A unit's budget beside its final accounts for the same year, by functional code (类/款/项) and economic class:
-- the amount approved in its 部门预算 (年初预算), the adjusted budget where its 部门决算 prints one, the amount
-- executed in its 部门决算 (决算) and the execution rate, in 万元. Only unit-years with both a current 预算 and a
-- current 决算; a code printed in one of them only has the other side null. Three comparisons (scope):
--   all_funds             支出预算总表 / 支出决算表 (公开03), functional codes
--   general_budget        一般公共预算支出表 / 一般公共预算财政拨款支出决算表 (公开05), functional codes
--   general_budget_basic  基本支出经济分类表 (公开06), economic codes
-- The amount of a row is its total column (the one amount not under a part: 基本支出, 项目支出, 人员经费 …).
with documents as (
    select document_id, unit_id, fiscal_year, report_kind
    from {{ ref('dim_document') }}
    where parse_status = 'parsed' and is_current_version and report_kind in ('budget', 'final_accounts')
),

pairs as (
    select unit_id, fiscal_year
    from documents
    group by unit_id, fiscal_year
    having count(distinct report_kind) = 2
),

scopes as (
    select 'GK03' as source_table, 'all_funds' as scope
    union all select 'GK05', 'general_budget'
    union all select 'GK06', 'general_budget_basic'
),

cells as (
    select
        facts.document_id,
        documents.report_kind,
        documents.unit_id,
        documents.fiscal_year,
        scopes.scope,
        facts.classification_id,
        facts.classification_code,
        facts.phase_code,
        facts.amount_wan,
        facts.source_line
    from {{ ref('fct_fiscal_amount') }} as facts
    inner join documents on facts.document_id = documents.document_id
    inner join pairs on documents.unit_id = pairs.unit_id and documents.fiscal_year = pairs.fiscal_year
    inner join scopes on facts.source_table = scopes.source_table
    where
        facts.classification_code is not null
        and (facts.indicator_name is null or facts.indicator_name not in {{ part_columns() }})
),

-- a row printing two amounts that are not parts (the same code twice, two totals) is left out, not guessed
row_totals as (
    select
        *,
        count(*) over (partition by document_id, scope, classification_code, phase_code) as n_totals
    from cells
),

sides as (
    select
        unit_id,
        fiscal_year,
        scope,
        classification_id,
        classification_code,
        max(case when report_kind = 'budget' and phase_code = 'approved' then amount_wan end) as approved_wan,
        max(case when report_kind = 'final_accounts' and phase_code = 'adjusted' then amount_wan end) as adjusted_wan,
        max(case when report_kind = 'final_accounts' and phase_code = 'executed' then amount_wan end) as executed_wan,
        max(case when report_kind = 'budget' and phase_code = 'approved' then document_id end) as budget_document_id,
        max(case when report_kind = 'budget' and phase_code = 'approved' then source_line end) as budget_source_line,
        max(case when report_kind = 'final_accounts' and phase_code = 'executed' then document_id end)
            as final_document_id,
        max(case when report_kind = 'final_accounts' and phase_code = 'executed' then source_line end)
            as final_source_line
    from row_totals
    where n_totals = 1
    group by unit_id, fiscal_year, scope, classification_id, classification_code
)

select
    sides.unit_id,
    units.unit_name,
    sides.fiscal_year,
    sides.scope,
    classifications.classification_system,
    sides.classification_code,
    classifications.classification_name,
    classifications.classification_level,
    sides.approved_wan,
    sides.adjusted_wan,
    sides.executed_wan,
    sides.executed_wan - coalesce(sides.adjusted_wan, sides.approved_wan) as variance_wan,
    {{ round_double(double_quotient('100 * sides.executed_wan',
                                    'nullif(coalesce(sides.adjusted_wan, sides.approved_wan), 0)'), 2) }}
        as execution_rate_pct,
    sides.budget_document_id,
    sides.budget_source_line,
    sides.final_document_id,
    sides.final_source_line,
    coalesce(sides.final_document_id, sides.budget_document_id) as document_id
from sides
inner join {{ ref('dim_unit') }} as units on sides.unit_id = units.unit_id
inner join {{ ref('dim_classification') }} as classifications
    on sides.classification_id = classifications.classification_id
