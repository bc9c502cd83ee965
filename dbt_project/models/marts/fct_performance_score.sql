-- Published indicator scores: current report versions, minus score tables held back by unwaived
-- error findings (an unrecoverable layout, weights or scores that do not add up).
with scores as (
    select * from {{ ref('int_performance_indicators_resolved') }}
),

quarantined as (
    select document_id, table_code from {{ source('audit', 'quarantined_scope') }}
    where line_no is null  -- score tables are held back whole
)

select {{ star_except(ref('int_performance_indicators_resolved'), ['is_current_version'], 'scores') }}
from scores
where scores.is_current_version
    and not exists (
        select 1 from quarantined
        where scores.document_id = quarantined.document_id
            and scores.table_code = quarantined.table_code
    )
