with years as (
    select distinct fiscal_year
    from {{ ref('stg_raw__documents') }}
    where fiscal_year is not null
)

select
    fiscal_year,
    fiscal_year::varchar || '年度' as fiscal_year_label
from years
