-- Analysts' view of self-evaluation scores: unit, year, scope (department or project), indicator
-- path, weight, score and score ratio, with the line each figure was read from.
with scores as (
    select * from {{ ref('fct_performance_score') }}
)

select
    unit_name,
    fiscal_year,
    scope_name,
    table_code,
    table_kind,
    level,
    indicator_path,
    indicator_name,
    weight,
    score,
    score_is_derived,
    score_ratio,
    file_name as source_file,
    line_no as source_line,
    indicator_id,
    unit_id,
    document_id
from scores
where table_kind <> 'target_declaration'
