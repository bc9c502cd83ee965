-- Codes seen in the facts, named by the name most often printed with them.
with coded as (
    select
        classification_system,
        classification_code,
        case when row_code is not null then row_label end as printed_name
    from {{ ref('int_amounts_classified') }}
    where classification_code is not null
),

classes as (
    select * from {{ ref('functional_classes') }}
),

named as (
    select
        classification_system,
        classification_code,
        {{ most_frequent('printed_name') }} as printed_name
    from coded
    group by classification_system, classification_code
)

select
    named.classification_system || ':' || named.classification_code as classification_id,
    named.classification_code,
    coalesce(named.printed_name, classes.class_name) as classification_name,
    named.classification_system,
    case length(named.classification_code) when 3 then 1 when 5 then 2 when 7 then 3 end as classification_level,
    case length(named.classification_code)
        when 5 then left(named.classification_code, 3)
        when 7 then left(named.classification_code, 5)
    end as parent_code,
    case
        when length(named.classification_code) > 3
            then named.classification_system || ':' || left(named.classification_code, length(named.classification_code) - 2)
    end as parent_classification_id
from named
left join classes
    on named.classification_system = 'functional' and named.classification_code = classes.class_code
