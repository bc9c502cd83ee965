-- mart_expenditure_by_function: one row per document, phase and functional code.
select
    document_id,
    phase_code,
    classification_code,
    count(*) as n_records
from {{ ref('mart_expenditure_by_function') }}
group by document_id, phase_code, classification_code
having count(*) > 1
