-- Published amounts: the current version of every readable report, minus the tables (and the rows the
-- reader could not read: line_no) held back by unwaived error findings.
with amounts as (
    select * from {{ ref('int_fiscal_amounts_sourced') }}
)

select {{ star_except(ref('int_fiscal_amounts_sourced'), ['is_current_version'], 'amounts') }}
from amounts
where {{ not_held_back('amounts') }}
    and amounts.is_current_version
    -- money only: rates (%), headcounts and counts printed in the same tables are in fct_fiscal_quantity
    and amounts.amount_wan is not null
