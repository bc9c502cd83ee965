with seen as (
    select distinct indicator_name
    from {{ ref('int_amounts_classified') }}
),

catalog as (
    select * from {{ ref('indicator_catalog') }}
)

select
    substr(md5(seen.indicator_name), 1, 12) as indicator_id,
    seen.indicator_name,
    catalog.indicator_name_en,
    coalesce(catalog.family, 'other') as family,
    '万元' as unit_of_measure
from seen
left join catalog on seen.indicator_name = catalog.indicator_name
