-- mart_budget_execution: one row per document, budget table and printed item.
select
    document_id,
    source_table,
    item,
    count(*) as n_records
from {{ ref('mart_budget_execution') }}
group by document_id, source_table, item
having count(*) > 1
