-- 旧版本金额: amounts of the superseded versions of every report (an earlier draft, a report published
-- again), minus the tables held back by unwaived error findings: what an earlier version said, beside the
-- current one in fct_fiscal_amount. Money only, like fct_fiscal_amount.
{{ incremental_by_publication_state() }}

with documents as (
    {{ publication_states_to_build('not states.is_current') }}
),

amounts as (
    select * from {{ ref('int_fiscal_amounts_sourced') }}
),

versions as (
    select document_id, superseded_by, superseded_at from {{ ref('int_report_versions') }}
    where not is_current
)

select
    {{ star_except(ref('int_fiscal_amounts_sourced'), ['is_current_version'], 'amounts') }},
    versions.superseded_by as superseded_by_document_id,
    versions.superseded_at,
    documents.publication_state
from amounts
inner join documents on amounts.document_id = documents.document_id
inner join versions on amounts.document_id = versions.document_id
where {{ not_held_back('amounts') }}
    and amounts.amount_wan is not null
