select
    unit_id,
    unit_name,
    region,
    is_consolidated,
    cast(null as varchar) as parent_unit_id
from {{ ref('int_units_resolved') }}
