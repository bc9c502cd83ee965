-- One row per unit, fiscal year and report kind (its current version): the headline figures of 公开01/03/07.
with facts as (
    select * from {{ ref('fct_fiscal_amount') }}
),

documents as (
    select * from {{ ref('dim_document') }}
    where parse_status = 'parsed' and is_current_version
),

units as (
    select * from {{ ref('dim_unit') }}
),

summary as (
    select
        document_id,
        max(case when source_table = 'GK01' and side = 'income' and line_item = '本年收入合计' then amount_wan end)
            as income_total,
        max(case when source_table = 'GK01' and side = 'income' and line_item = '财政拨款收入' then amount_wan end)
            as fiscal_appropriation_income,
        max(case when source_table = 'GK01' and side = 'expenditure' and line_item = '本年支出合计' then amount_wan end)
            as expenditure_total,
        max(case when source_table = 'GK01' and side = 'income' and line_item = '年初结转和结余' then amount_wan end)
            as carry_over_begin,
        max(case when source_table = 'GK01' and side = 'expenditure' and line_item = '年末结转和结余' then amount_wan end)
            as carry_over_end,
        max(case when source_table = 'GK01' and side = 'income' and line_item = '总计' then amount_wan end)
            as grand_total,
        max(case when source_table = 'GK03' and source_row_label = '合计' and indicator_name = '基本支出' then amount_wan end)
            as basic_expenditure,
        max(case when source_table = 'GK03' and source_row_label = '合计' and indicator_name = '项目支出' then amount_wan end)
            as project_expenditure,
        max(case when source_table = 'GK07' and phase_code = 'approved' and indicator_name = '三公经费合计' then amount_wan end)
            as three_public_budget,
        max(case when source_table = 'GK07' and phase_code = 'executed' and indicator_name = '三公经费合计' then amount_wan end)
            as three_public_final
    from facts
    group by document_id
),

tables as (
    select
        document_id,
        count(*) filter (where publication_status = 'quarantined') as n_tables_quarantined
    from {{ ref('dim_report_table') }}
    group by document_id
)

select
    documents.unit_id,
    units.unit_name,
    units.region,
    documents.fiscal_year,
    documents.report_kind,
    documents.document_id,
    documents.file_name,
    summary.income_total,
    summary.fiscal_appropriation_income,
    summary.expenditure_total,
    summary.basic_expenditure,
    summary.project_expenditure,
    summary.carry_over_begin,
    summary.carry_over_end,
    summary.grand_total,
    summary.three_public_budget,
    summary.three_public_final,
    coalesce(tables.n_tables_quarantined, 0) as n_tables_quarantined
from documents
inner join units on documents.unit_id = units.unit_id
left join summary on documents.document_id = summary.document_id
left join tables on documents.document_id = tables.document_id
