-- Every parsed amount of a readable document (every version), with its classification, indicator and
-- phase resolved. The integrity suite audits all of it, so a superseded version's errors stay visible;
-- the marts publish the current versions minus quarantined scopes.
-- Incremental by document: a refresh classifies only the documents whose parse this table does not hold
-- yet (new, or parsed again: another parsed_at; no clock watermark). A document's rows depend on nothing
-- but its own cells and the reference seeds, so one new report does not reclassify millions of cells.
-- Which version is current is decided downstream, where it can change.
-- A change to the models, seeds or parser rebuilds it in full (orchestration/assets.py); the post-hook
-- forgets documents that are no longer readable in the raw layer (a raw layer rebuilt from the store).
{{ incremental_by_document() }}

with documents as (
    {{ documents_to_build() }}
),

cells as (
    {{ rows_of_documents_to_build(ref('stg_raw__cells')) }}
),

units as (
    select * from {{ ref('int_units_resolved') }}
),

classes as (
    select * from {{ ref('functional_classes') }}
),

measures as (
    select * from {{ ref('budget_measures') }}
),

split_columns as (
    select
        *,
        {{ split_path('column_path') }} as path_parts
    from cells
),

phased as (
    select
        *,
        -- 公开07 prints 预算数 and 决算数 side by side: the header decides the phase
        case
            when {{ list_length('path_parts') }} > 1 and path_parts[1] in ('预算数', '年初预算数') then 'approved'
            when {{ list_length('path_parts') }} > 1 and path_parts[1] = '调整预算数' then 'adjusted'
            when {{ list_length('path_parts') }} > 1 and path_parts[1] = '决算数' then 'executed'
            -- per-subunit 三公 tables: 2018年预算数 / 2018年度决算数
            when {{ list_length('path_parts') }} > 1 and path_parts[1] like '%预算数' then 'approved'
            when {{ list_length('path_parts') }} > 1 and path_parts[1] like '%决算数' then 'executed'
            -- 绩效评价基础数据表: 2020年预算数 / 2020年决算数
            when table_code like 'BASE_DATA%' and path_parts[1] like '%预算数' then 'approved'
            when table_code like 'BASE_DATA%' and path_parts[1] like '%决算数' then 'executed'
            -- Shanghai prints the phase under each item instead (合计/预算数, 合计/决算数)
            when {{ list_length('path_parts') }} > 1 and {{ list_from_end('path_parts', 1) }} in ('预算数', '年初预算数') then 'approved'
            when {{ list_length('path_parts') }} > 1 and {{ list_from_end('path_parts', 1) }} = '调整预算数' then 'adjusted'
            when {{ list_length('path_parts') }} > 1 and {{ list_from_end('path_parts', 1) }} = '决算数' then 'executed'
        end as column_phase,
        case
            when {{ list_length('path_parts') }} > 1 and path_parts[1] in ('预算数', '年初预算数', '调整预算数', '决算数')
                then {{ list_slice('path_parts', 2, list_length('path_parts')) }}
            when {{ list_length('path_parts') }} > 1 and {{ list_from_end('path_parts', 1) }} in ('预算数', '年初预算数', '调整预算数', '决算数')
                then {{ list_slice('path_parts', 1, list_length('path_parts') ~ ' - 1') }}
            else path_parts
        end as measure_parts
    from split_columns
),

named as (
    select
        *,
        -- 本年支出/小计 -> 本年支出; 公务用车购置及运行费/小计 -> 公务用车购置及运行费
        -- a year printed in the header (2020年实际在职人数) is the report's, not part of the measure
        regexp_replace(
            case
                -- a caption spanning the whole 三公 table (财政拨款“三公”经费) is not the total's parent item
                when {{ list_length('measure_parts') }} > 1 and {{ list_from_end('measure_parts', 1) }} = '合计' and {{ list_from_end('measure_parts', 2) }} like '%三公%经费%'
                    then '合计'
                when {{ list_length('measure_parts') }} > 1 and {{ list_from_end('measure_parts', 1) }} in ('小计', '合计') then {{ list_from_end('measure_parts', 2) }}
                else {{ list_from_end('measure_parts', 1) }}
            end,
            '^20[0-9]{2}年度?', ''
        ) as measure_leaf
    from phased
)

select
    named.cell_id as fact_id,
    named.document_id,
    documents.file_name,
    units.unit_id,
    documents.unit_name,
    documents.fiscal_year,
    documents.report_kind,
    documents.parsed_at as document_parsed_at,
    coalesce(
        named.column_phase,
        measures.phase_code,
        case documents.report_kind when 'budget' then 'approved' else 'executed' end
    ) as phase_code,
    measures.measure_code,
    named.table_code,
    named.side,
    named.row_label,
    named.line_item,
    named.row_code,
    named.row_number,
    coalesce(named.row_code, classes.class_code) as classification_code,
    case
        when coalesce(named.row_code, classes.class_code) is null then null
        when named.table_code in ('GK06', 'BGT_APPROP_BASIC', 'BGT_OPERATING') then 'economic'
        else 'functional'
    end as classification_system,
    case when named.table_code = 'GK07' and named.measure_leaf = '合计' then '三公经费合计' else named.measure_leaf end
        as indicator_name,
    named.column_path,
    named.column_number,
    named.value_text,
    named.amount_printed,
    named.printed_unit,
    named.amount_wan,
    named.line_no,
    named.page_no,
    named.cell_box,
    {{ build_invocation_id() }}
from named
inner join documents on named.document_id = documents.document_id
inner join units on documents.unit_name = units.unit_name
left join classes
    on named.row_code is null
    and (named.side = 'expenditure' or named.table_code = 'BUD_FUNCTION')
    and named.line_item = classes.class_name
left join measures
    on named.table_code like 'BUD_%'
    and named.measure_leaf = measures.column_name
