-- Published amounts: the current version of every readable report, minus the tables (and the rows the
-- reader could not read: line_no) held back by unwaived error findings.
with amounts as (
    select * from {{ ref('int_fiscal_amounts_sourced') }}
),

quarantined as (
    select document_id, table_code, line_no from {{ source('audit', 'quarantined_scope') }}
)

select {{ star_except(ref('int_fiscal_amounts_sourced'), ['is_current_version'], 'amounts') }}
from amounts
where not exists (
    select 1 from quarantined
    where amounts.document_id = quarantined.document_id
        and amounts.source_table = quarantined.table_code
        and (quarantined.line_no is null or quarantined.line_no = amounts.source_line)
)
    and amounts.is_current_version
    -- money only: rates (%), headcounts and counts printed in the same tables are in fct_fiscal_quantity
    and amounts.amount_wan is not null
