-- mart_performance_scores: one row per printed indicator node (document, table, level, path, line); a join that
-- fans out (a node published and held back at once, a unit or table matched twice) shows here.
select
    document_id,
    table_code,
    level,
    indicator_path,
    source_line,
    count(*) as n_records
from {{ ref('mart_performance_scores') }}
group by document_id, table_code, level, indicator_path, source_line
having count(*) > 1
