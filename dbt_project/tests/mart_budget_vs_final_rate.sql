-- mart_budget_vs_final: the execution rate is executed over the (adjusted, else approved) budget, and a row has a
-- side at least (a code neither report prints is no row).
select
    document_id,
    unit_id,
    fiscal_year,
    scope,
    classification_code,
    approved_wan,
    adjusted_wan,
    executed_wan,
    execution_rate_pct
from {{ ref('mart_budget_vs_final') }}
where
    (approved_wan is null and adjusted_wan is null and executed_wan is null)
    or (execution_rate_pct is not null and executed_wan is null)
    or abs(execution_rate_pct * coalesce(adjusted_wan, approved_wan) / 100 - executed_wan)
        > 0.005 * abs(coalesce(adjusted_wan, approved_wan)) / 100 + 0.000001
