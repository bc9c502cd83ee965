-- 隔离区: amounts held back with the findings that hold them, readable but not in the published facts:
-- whole tables, and rows the reader could not read (line_no), each amount once (a held table takes its rows).
{{ incremental_by_publication_state() }}

with documents as (
    {{ publication_states_to_build('states.is_held') }}
),

amounts as (
    select * from {{ ref('int_fiscal_amounts_sourced') }}
),

quarantined as (
    select * from {{ source('audit', 'quarantined_scope') }}
)

select
    amounts.*,
    quarantined.rule_ids as quarantine_rules,
    quarantined.n_findings as quarantine_findings,
    quarantined.origin as quarantine_origin,
    documents.publication_state
from amounts
inner join documents on amounts.document_id = documents.document_id
inner join quarantined
    on amounts.document_id = quarantined.document_id
    and amounts.source_table = quarantined.table_code
    and (quarantined.line_no is null or quarantined.line_no = amounts.source_line)
