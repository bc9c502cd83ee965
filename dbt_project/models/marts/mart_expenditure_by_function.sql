-- 公开03 (all funds) and 公开05 (general public budget) by functional code, with the basic/project split.
with facts as (
    select * from {{ ref('fct_fiscal_amount') }}
    where classification_code is not null and source_table in ('GK03', 'GK05')
),

classifications as (
    select * from {{ ref('dim_classification') }}
),

pivoted as (
    select
        document_id,
        unit_id,
        fiscal_year,
        phase_code,
        classification_id,
        classification_code,
        max(case when source_table = 'GK03' and indicator_name = '本年支出合计' then amount_wan end) as total_expenditure,
        max(case when source_table = 'GK03' and indicator_name = '基本支出' then amount_wan end) as basic_expenditure,
        max(case when source_table = 'GK03' and indicator_name = '项目支出' then amount_wan end) as project_expenditure,
        max(case when source_table = 'GK05' and indicator_name = '本年支出' then amount_wan end)
            as general_budget_expenditure,
        max(case when source_table = 'GK05' and indicator_name = '基本支出' then amount_wan end) as general_budget_basic,
        max(case when source_table = 'GK05' and indicator_name = '项目支出' then amount_wan end) as general_budget_project
    from facts
    group by document_id, unit_id, fiscal_year, phase_code, classification_id, classification_code
)

select
    pivoted.unit_id,
    pivoted.fiscal_year,
    pivoted.phase_code,
    pivoted.document_id,
    pivoted.classification_code,
    classifications.classification_name,
    classifications.classification_level,
    classifications.parent_code,
    left(pivoted.classification_code, 3) as class_code,
    case when length(pivoted.classification_code) >= 5 then left(pivoted.classification_code, 5) end as section_code,
    case when length(pivoted.classification_code) = 7 then pivoted.classification_code end as item_code,
    pivoted.total_expenditure,
    pivoted.basic_expenditure,
    pivoted.project_expenditure,
    pivoted.general_budget_expenditure,
    pivoted.general_budget_basic,
    pivoted.general_budget_project
from pivoted
inner join classifications on pivoted.classification_id = classifications.classification_id
