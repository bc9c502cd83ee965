-- Published amounts: the current version of every readable report, minus the tables (and the rows the
-- reader could not read: line_no) held back by unwaived error findings.
-- Incremental by publication state: only documents whose parser version, resolved metadata, version status or holds changed
-- are rebuilt.
{{ incremental_by_publication_state() }}

with documents as (
    {{ publication_states_to_build('states.is_current') }}
),

amounts as (
    select * from {{ ref('int_fiscal_amounts_sourced') }}
)

select
    {{ star_except(ref('int_fiscal_amounts_sourced'), ['is_current_version'], 'amounts') }},
    documents.publication_state
from amounts
inner join documents on amounts.document_id = documents.document_id
where {{ not_held_back('amounts') }}
    and amounts.is_current_version
    -- money only: rates (%), headcounts and counts printed in the same tables are in fct_fiscal_quantity
    and amounts.amount_wan is not null
