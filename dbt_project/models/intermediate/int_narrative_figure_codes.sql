-- The classification code each prose figure's subject names, for the figures that name a 类 / 款 / 项
-- (a few per report). A 类 / 款 / 项 chain printed in the prose (政协事务（款）行政运行（项）) is looked up among
-- the codes the tables print with those names: the leaf name at its level, every parent name the prose
-- gives at the parent's level. The same unit and year's tables are asked first, then every report's (the
-- names are the national classification's); a name that fits more than one code gets none, and so does a
-- name no table prints (every code linked is in dim_classification). Built whole on every refresh, since a
-- new report's tables can change what an old figure's names resolve to; the figures' own rows are not
-- (int_narrative_figures_located).
with units as (
    select * from {{ ref('int_units_resolved') }}
),

printed_names as (
    -- every code the tables print with a name, and the unit and year that printed it: the names are made
    -- comparable once per distinct label, not once per cell
    select distinct
        classification_system,
        classification_code,
        unit_id,
        fiscal_year,
        {{ classification_name_key('row_label') }} as name_key
    from (
        select distinct classification_system, classification_code, unit_id, fiscal_year, row_label
        from {{ ref('int_amounts_classified') }}
        where row_code is not null and classification_code is not null
    ) as labels
),

national_names as (
    -- the same names whoever printed them: the national classification, a few thousand rows however many
    -- reports print 行政运行 (joining figures to every report's rows grew with the square of the reports)
    select distinct classification_system, classification_code, name_key
    from printed_names
),

wanted as (
    select
        figures.figure_id,
        figures.document_id,
        units.unit_id,
        figures.fiscal_year,
        {{ classification_name_key('figures.class_name') }} as class_key,
        {{ classification_name_key('figures.kuan_name') }} as kuan_key,
        {{ classification_name_key('figures.xiang_name') }} as xiang_key,
        case when figures.xiang_name is not null then 7 when figures.kuan_name is not null then 5 else 3 end
            as code_length
    from {{ ref('int_narrative_figures_located') }} as figures
    inner join units on figures.unit_name = units.unit_name
    where coalesce(figures.class_name, figures.kuan_name, figures.xiang_name) is not null
),

candidates as (
    select
        wanted.figure_id,
        wanted.document_id,
        leaf.classification_system,
        leaf.classification_code,
        max(case when same_report.name_key is not null then 1 else 0 end) as printed_by_same_report
    from wanted
    inner join national_names as leaf
        on leaf.name_key = coalesce(wanted.xiang_key, wanted.kuan_key, wanted.class_key)
        and length(leaf.classification_code) = wanted.code_length
    left join printed_names as same_report
        on same_report.classification_system = leaf.classification_system
        and same_report.classification_code = leaf.classification_code
        and same_report.name_key = leaf.name_key
        and same_report.unit_id = wanted.unit_id
        and same_report.fiscal_year = wanted.fiscal_year
    where (
        wanted.code_length = 5 or wanted.kuan_key is null or exists (
            select 1 from national_names as parent
            where parent.classification_system = leaf.classification_system
                and parent.classification_code = left(leaf.classification_code, 5)
                and parent.name_key = wanted.kuan_key
        )
    )
    and (
        wanted.code_length = 3 or wanted.class_key is null or exists (
            select 1 from national_names as parent
            where parent.classification_system = leaf.classification_system
                and parent.classification_code = left(leaf.classification_code, 3)
                and parent.name_key = wanted.class_key
        )
    )
    group by wanted.figure_id, wanted.document_id, leaf.classification_system, leaf.classification_code
),

ranked as (
    select
        *,
        max(printed_by_same_report) over (partition by figure_id) as best
    from candidates
)

select
    figure_id,
    document_id,
    {{ any_value('classification_system') }} as classification_system,
    {{ any_value('classification_code') }} as classification_code
from ranked
where printed_by_same_report = best
group by figure_id, document_id
having count(*) = 1
