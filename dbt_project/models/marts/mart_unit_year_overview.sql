-- One row per unit, fiscal year and phase: the 部门预算 (年初预算) and the 部门决算 (决算) of a unit-year side by
-- side as two rows, with the headline figures of the 收支总表 (公开01), 支出总表 (公开03) and 三公 table (公开07),
-- in 万元 (amounts printed in 元 are converted on reading). A 总表 names its totals in several ways (本年收入合计,
-- 当年收入小计, 收入合计, 收入总计 …; seed summary_labels); the label used is kept beside each total.
with documents as (
    select
        document_id,
        unit_id,
        fiscal_year,
        report_kind,
        file_name,
        case report_kind when 'budget' then 'approved' else 'executed' end as phase_code
    from {{ ref('dim_document') }}
    where parse_status = 'parsed' and is_current_version and report_kind in ('budget', 'final_accounts')
),

facts as (
    select facts.*
    from {{ ref('fct_fiscal_amount') }} as facts
    inner join documents
        on facts.document_id = documents.document_id
        and facts.phase_code = documents.phase_code
),

labels as (
    select * from {{ ref('summary_labels') }}
),

-- one amount per printed row of the 总表 and side: the row's total column where it prints its parts beside it
-- (支出总计 | 合计 | 人员经费 | 公用经费 | 项目支出); a second expenditure column group (expenditure_2) is a side
summary_cells as (
    select
        document_id,
        side as printed_side,
        case when side like 'expenditure%' then 'expenditure' else side end as summary_side,
        line_item,
        indicator_name,
        source_line,
        amount_wan,
        count(*) over (partition by document_id, side, source_line) as n_on_row
    from facts
    where source_table = 'GK01'
),

row_totals as (
    select
        *,
        count(*) over (partition by document_id, printed_side, source_line) as n_totals
    from summary_cells
    where n_on_row = 1 or indicator_name is null or indicator_name not in {{ part_columns() }}
),

labelled as (
    select
        row_totals.document_id,
        labels.measure,
        labels.label,
        row_totals.amount_wan,
        row_number() over (
            partition by row_totals.document_id, labels.measure
            order by labels.priority, row_totals.source_line
        ) as preference
    from row_totals
    inner join labels
        on row_totals.summary_side = labels.side
        and row_totals.line_item = labels.label
    where row_totals.n_totals = 1
),

summary as (
    select
        document_id,
        {%- for measure in ['income_year', 'income_grand', 'expenditure_year', 'expenditure_grand',
                            'carry_over_begin', 'carry_over_end', 'fiscal_appropriation_income',
                            'basic_expenditure', 'project_expenditure'] %}
        max(case when measure = '{{ measure }}' then amount_wan end) as {{ measure }},
        max(case when measure = '{{ measure }}' then label end) as {{ measure }}_label{{ ',' if not loop.last }}
        {%- endfor %}
    from labelled
    where preference = 1
    group by document_id
),

-- 公开03's 合计 row splits the year's expenditure into basic and project expenditure
expenditure_split as (
    select
        document_id,
        max(case when indicator_name = '基本支出' then amount_wan end) as basic_expenditure,
        max(case when indicator_name = '项目支出' then amount_wan end) as project_expenditure
    from facts
    where source_table = 'GK03' and source_row_label = '合计'
    group by document_id
),

three_public as (
    select
        document_id,
        max(case when phase_code = 'approved' then amount_wan end) as three_public_budget,
        max(case when phase_code = 'executed' then amount_wan end) as three_public_final
    from {{ ref('fct_fiscal_amount') }}
    where source_table = 'GK07' and indicator_name = '三公经费合计'
    group by document_id
),

quarantined_tables as (
    select
        document_id,
        count(*) as n_tables_quarantined
    from {{ ref('dim_report_table') }}
    where publication_status = 'quarantined'
    group by document_id
),

per_document as (
    select
        documents.*,
        summary.document_id is not null as has_summary_table,
        -- the year's income as printed; where the 总表 prints only the total with the carry-over
        -- (收入合计, 收入总计), that total less the carry-over it prints
        coalesce(summary.income_year, summary.income_grand - coalesce(summary.carry_over_begin, 0))
            as income_total_wan,
        case
            when summary.income_year is not null then summary.income_year_label
            when summary.income_grand is not null and summary.carry_over_begin is not null
                then summary.income_grand_label || ' - ' || summary.carry_over_begin_label
            else summary.income_grand_label
        end as income_total_label,
        coalesce(summary.expenditure_year, summary.expenditure_grand - coalesce(summary.carry_over_end, 0))
            as expenditure_total_wan,
        case
            when summary.expenditure_year is not null then summary.expenditure_year_label
            when summary.expenditure_grand is not null and summary.carry_over_end is not null
                then summary.expenditure_grand_label || ' - ' || summary.carry_over_end_label
            else summary.expenditure_grand_label
        end as expenditure_total_label,
        summary.income_grand as grand_total_wan,
        summary.income_grand_label as grand_total_label,
        summary.fiscal_appropriation_income as fiscal_appropriation_income_wan,
        coalesce(expenditure_split.basic_expenditure, summary.basic_expenditure) as basic_expenditure_wan,
        coalesce(expenditure_split.project_expenditure, summary.project_expenditure) as project_expenditure_wan,
        summary.carry_over_begin as carry_over_begin_wan,
        summary.carry_over_end as carry_over_end_wan,
        three_public.three_public_budget as three_public_budget_wan,
        three_public.three_public_final as three_public_final_wan,
        coalesce(quarantined_tables.n_tables_quarantined, 0) as n_tables_quarantined
    from documents
    left join summary on documents.document_id = summary.document_id
    left join expenditure_split on documents.document_id = expenditure_split.document_id
    left join three_public on documents.document_id = three_public.document_id
    left join quarantined_tables on documents.document_id = quarantined_tables.document_id
),

-- a report published as two files (narrative and tables) is one report: its figures come from the file
-- printing the 总表 (else the first file)
ranked as (
    select
        *,
        row_number() over (
            partition by unit_id, fiscal_year, phase_code
            order by case when has_summary_table then 0 else 1 end, document_id
        ) as document_rank,
        count(*) over (partition by unit_id, fiscal_year, phase_code) as n_documents,
        sum(n_tables_quarantined) over (partition by unit_id, fiscal_year, phase_code) as n_report_tables_quarantined
    from per_document
)

select
    ranked.unit_id,
    units.unit_name,
    units.region,
    ranked.fiscal_year,
    ranked.phase_code,
    phases.phase_name_zh as phase_name,
    ranked.report_kind,
    ranked.document_id,
    ranked.file_name,
    cast(ranked.n_documents as integer) as n_documents,
    ranked.income_total_wan,
    ranked.income_total_label,
    ranked.fiscal_appropriation_income_wan,
    ranked.expenditure_total_wan,
    ranked.expenditure_total_label,
    ranked.basic_expenditure_wan,
    ranked.project_expenditure_wan,
    ranked.carry_over_begin_wan,
    ranked.carry_over_end_wan,
    ranked.grand_total_wan,
    ranked.grand_total_label,
    ranked.three_public_budget_wan,
    ranked.three_public_final_wan,
    cast(ranked.n_report_tables_quarantined as integer) as n_tables_quarantined
from ranked
inner join {{ ref('dim_unit') }} as units on ranked.unit_id = units.unit_id
inner join {{ ref('dim_phase') }} as phases on ranked.phase_code = phases.phase_code
where ranked.document_rank = 1
