-- mart_budget_vs_final: one row per unit, fiscal year, scope and code.
select
    unit_id,
    fiscal_year,
    scope,
    classification_code,
    min(document_id) as document_id,
    count(*) as n_records
from {{ ref('mart_budget_vs_final') }}
group by unit_id, fiscal_year, scope, classification_code
having count(*) > 1
