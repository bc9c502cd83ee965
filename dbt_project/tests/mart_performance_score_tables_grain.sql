-- mart_performance_score_tables: one row per score table of a document.
select
    document_id,
    table_code,
    count(*) as n_records
from {{ ref('mart_performance_score_tables') }}
group by document_id, table_code
having count(*) > 1
