-- 隔离区: amounts held back with the findings that hold them, readable but not in the published facts.
with amounts as (
    select * from {{ ref('int_fiscal_amounts_sourced') }}
),

quarantined as (
    select * from {{ source('audit', 'quarantined_scope') }}
)

select
    amounts.*,
    quarantined.rule_ids as quarantine_rules,
    quarantined.n_findings as quarantine_findings
from amounts
inner join quarantined
    on amounts.document_id = quarantined.document_id
    and amounts.source_table = quarantined.table_code
