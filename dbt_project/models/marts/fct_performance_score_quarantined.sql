-- 隔离区: indicator scores held back with the rules that hold them (any version), readable for review.
{{ incremental_by_publication_state() }}

with documents as (
    {{ publication_states_to_build('states.is_held') }}
),

scores as (
    select * from {{ ref('int_performance_indicators_resolved') }}
),

quarantined as (
    select * from {{ source('audit', 'quarantined_scope') }}
    where line_no is null  -- score tables are held back whole
)

select
    scores.*,
    quarantined.rule_ids as quarantine_rules,
    quarantined.n_findings as quarantine_findings,
    documents.publication_state
from scores
inner join documents on scores.document_id = documents.document_id
inner join quarantined
    on scores.document_id = quarantined.document_id
    and scores.table_code = quarantined.table_code
