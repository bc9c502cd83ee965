-- 隔离区: amounts held back with the findings that hold them, readable but not in the published facts:
-- whole tables, and rows the reader could not read (line_no), each amount once (a held table takes its rows).
with amounts as (
    select * from {{ ref('int_fiscal_amounts_sourced') }}
),

quarantined as (
    select * from {{ source('audit', 'quarantined_scope') }}
)

select
    amounts.*,
    quarantined.rule_ids as quarantine_rules,
    quarantined.n_findings as quarantine_findings,
    quarantined.origin as quarantine_origin
from amounts
inner join quarantined
    on amounts.document_id = quarantined.document_id
    and amounts.source_table = quarantined.table_code
    and (quarantined.line_no is null or quarantined.line_no = amounts.source_line)
