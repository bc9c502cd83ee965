-- mart_unit_year_overview: one row per unit, fiscal year and phase (a budget and a final account are never one row).
-- Failing rows name a document, so a refresh holds back that document alone (orchestration/dbt_isolation.py).
select
    unit_id,
    fiscal_year,
    phase_code,
    min(document_id) as document_id,
    count(*) as n_records
from {{ ref('mart_unit_year_overview') }}
group by unit_id, fiscal_year, phase_code
having count(*) > 1
