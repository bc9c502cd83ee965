-- mart_performance_targets: one row per printed target (document, table, project, level, path, line).
select
    document_id,
    table_code,
    project_name,
    level,
    indicator_path,
    source_line,
    count(*) as n_records
from {{ ref('mart_performance_targets') }}
group by document_id, table_code, project_name, level, indicator_path, source_line
having count(*) > 1
