-- 隔离区: indicator scores held back with the rules that hold them (any version), readable for review.
with scores as (
    select * from {{ ref('int_performance_indicators_resolved') }}
),

quarantined as (
    select * from {{ source('audit', 'quarantined_scope') }}
    where line_no is null  -- score tables are held back whole
)

select
    scores.*,
    quarantined.rule_ids as quarantine_rules,
    quarantined.n_findings as quarantine_findings
from scores
inner join quarantined
    on scores.document_id = quarantined.document_id
    and scores.table_code = quarantined.table_code
