-- 旧版本叙述数字: figures quoted in the prose of superseded versions (an earlier draft, a report published
-- again), with the version that superseded them: what an earlier version said.
select * exclude (is_current_version)
from {{ ref('int_narrative_figures_versioned') }}
where not is_current_version
