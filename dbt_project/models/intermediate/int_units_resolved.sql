-- One row per spelling of a unit name in readable documents, with a stable id shared by every
-- spelling of the same unit: full-width brackets, spaces and a trailing (汇总) (the consolidated
-- scope of the same unit's report) do not make another unit, and names linked as one unit by the two
-- files of a split report (江苏省委办公厅 / 中共江苏省委办公厅, ingest/report_resolution.py) share the
-- report's unit name and so its id.
with documents as (
    select
        unit_name,
        min(coalesce(report_unit_name, unit_name)) as report_unit_name
    from {{ ref('stg_raw__documents') }}
    where parse_status = 'parsed' and unit_name is not null
    group by unit_name
),

keyed as (
    select
        unit_name,
        report_unit_name,
        {{ unit_key('report_unit_name') }} as unit_key
    from documents
)

select
    substr(md5(unit_key), 1, 16) as unit_id,
    unit_key,
    unit_name,
    report_unit_name,
    -- the unit's name wherever one name is shown for it (dim_unit, mart_budget_execution): the spelling of its
    -- reports that sorts first, which another report of the unit can change
    min(report_unit_name) over (partition by unit_key) as unit_display_name,
    -- 深圳市福田区委区政府办公室 -> 深圳市福田区; 江苏省人大常委会办公厅 -> 江苏省
    nullif({{ regexp_group('report_unit_name', "'^((?:[^省]{2,3}省)?(?:[^市]{2,4}市)?(?:[^区县]{1,4}[区县])?)'", 1) }}, '')
        as region,
    unit_name like '%(汇总)%' or unit_name like '%（汇总）%' as is_consolidated
from keyed
