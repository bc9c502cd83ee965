-- Indicators: the measures named by amount-table columns (决算数, 基本支出, 年度总指标 …) and the
-- nodes of performance indicator trees (一级 / 二级 / 三级, with their parent and level).
with amount_indicators as (
    select
        indicator_name,
        {{ any_value('measure_code') }} as measure_code,
        {{ most_frequent('case when amount_wan is null then printed_unit end') }} as non_money_unit
    from {{ ref('int_amounts_classified') }}
    group by 1
),

catalog as (
    select * from {{ ref('indicator_catalog') }}
),

performance_nodes as (
    -- one row per path: a node declared as a target and scored elsewhere is a score indicator
    select
        indicator_id,
        {{ any_value('indicator_path') }} as indicator_path,
        {{ any_value('indicator_name') }} as indicator_name,
        {{ any_value('parent_indicator_id') }} as parent_indicator_id,
        {{ any_value('level') }} as level,
        bool_or(table_kind <> 'target_declaration') as is_scored
    from {{ ref('int_performance_indicators_resolved') }}
    group by 1
)

select
    substr(md5(amount_indicators.indicator_name), 1, 12) as indicator_id,
    amount_indicators.indicator_name,
    amount_indicators.indicator_name as indicator_path,
    cast(null as varchar) as parent_indicator_id,
    cast(null as integer) as level,
    catalog.indicator_name_en,
    coalesce(
        catalog.family,
        case
            when amount_indicators.measure_code in ('executed', 'remaining', 'execution_rate_stated') then 'execution'
            when amount_indicators.measure_code is not null then 'budget'
        end,
        'other'
    ) as family,
    coalesce(amount_indicators.non_money_unit, '万元') as unit_of_measure
from amount_indicators
left join catalog on amount_indicators.indicator_name = catalog.indicator_name

union all

select
    indicator_id,
    coalesce(indicator_name, '(未列名称)') as indicator_name,
    indicator_path,
    parent_indicator_id,
    level,
    cast(null as varchar) as indicator_name_en,
    case when is_scored then 'performance_score' else 'performance_target' end as family,
    case when is_scored then '分' end as unit_of_measure
from performance_nodes
