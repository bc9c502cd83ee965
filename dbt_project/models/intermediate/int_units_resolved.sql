-- One row per distinct unit name of readable documents, with a stable id and its region.
with documents as (
    select distinct unit_name
    from {{ ref('stg_raw__documents') }}
    where parse_status = 'parsed' and unit_name is not null
)

select
    substr(md5(unit_name), 1, 16) as unit_id,
    unit_name,
    -- 深圳市福田区委区政府办公室 -> 深圳市福田区; 江苏省人大常委会办公厅 -> 江苏省
    nullif(regexp_extract(unit_name, '^((?:[^省]{2,3}省)?(?:[^市]{2,4}市)?(?:[^区县]{1,4}[区县])?)', 1), '')
        as region,
    unit_name like '%(汇总)%' or unit_name like '%（汇总）%' as is_consolidated
from documents
