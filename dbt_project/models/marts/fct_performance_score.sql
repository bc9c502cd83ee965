-- Published indicator scores: current report versions, minus score tables held back by unwaived
-- error findings (an unrecoverable layout, weights or scores that do not add up).
{{ incremental_by_publication_state() }}

with documents as (
    {{ publication_states_to_build('states.is_current') }}
),

scores as (
    select * from {{ ref('int_performance_indicators_resolved') }}
),

quarantined as (
    select document_id, table_code from {{ source('audit', 'quarantined_scope') }}
    where line_no is null  -- score tables are held back whole
)

select
    {{ star_except(ref('int_performance_indicators_resolved'), ['is_current_version'], 'scores') }},
    documents.publication_state
from scores
inner join documents on scores.document_id = documents.document_id
where scores.is_current_version
    and not exists (
        select 1 from quarantined
        where scores.document_id = quarantined.document_id
            and scores.table_code = quarantined.table_code
    )
