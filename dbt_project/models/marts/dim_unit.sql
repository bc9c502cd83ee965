-- Units: every unit that publishes a report (one row however its name is spelled), and the subunits
-- a consolidated report lists in its per-subunit table (本级, 档案馆 …), each linked to its parent.
with spellings as (
    select * from {{ ref('int_units_resolved') }}
),

reporting_units as (
    select
        unit_id,
        min(unit_display_name) as unit_name,  -- one per unit (int_units_resolved)
        {{ any_value('region') }} as region,
        bool_or(is_consolidated) as is_consolidated
    from spellings
    group by 1
),

listed_subunits as (
    select distinct
        substr(md5({{ unit_key('source_row_label') }}), 1, 16) as unit_id,
        source_row_label as unit_name,
        unit_id as parent_unit_id
    from {{ ref('int_fiscal_amounts_sourced') }}
    where source_table like 'SANGONG_UNITS%' and is_current_version
),

subunit_links as (
    select
        unit_id,
        {{ any_value('unit_name') }} as unit_name,
        min(parent_unit_id) as parent_unit_id
    from listed_subunits
    where unit_id <> parent_unit_id  -- the table's first row is the consolidated unit itself
    group by 1
)

select
    reporting_units.unit_id,
    reporting_units.unit_name,
    reporting_units.region,
    reporting_units.is_consolidated,
    subunit_links.parent_unit_id,
    true as publishes_reports
from reporting_units
left join subunit_links on reporting_units.unit_id = subunit_links.unit_id

union all

select
    subunit_links.unit_id,
    subunit_links.unit_name,
    parents.region,
    false as is_consolidated,
    subunit_links.parent_unit_id,
    false as publishes_reports
from subunit_links
inner join reporting_units as parents on subunit_links.parent_unit_id = parents.unit_id
where not exists (select 1 from reporting_units where reporting_units.unit_id = subunit_links.unit_id)
