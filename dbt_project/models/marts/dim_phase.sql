select
    phase_code,
    phase_name_zh,
    phase_name_en,
    sort_order
from {{ ref('phases') }}
