-- The audited indicator nodes with whether their document is the current version of its report: decided
-- after the audit (int_report_versions reads its holds), so a newer version whose score table fails where
-- the older one passes does not displace it. A view: fct_performance_score and its quarantine pay for it.
{{ config(materialized='view') }}

with scores as (
    select * from {{ ref('int_performance_indicators_scored') }}
),

versions as (
    select document_id, is_current from {{ ref('int_report_versions') }}
)

select
    {{ star_except(ref('int_performance_indicators_scored'), ['document_parsed_at', 'build_invocation_id'], 'scores') }},
    versions.is_current as is_current_version
from scores
inner join versions on scores.document_id = versions.document_id
