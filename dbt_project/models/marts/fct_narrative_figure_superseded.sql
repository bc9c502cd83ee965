-- 旧版本叙述数字: figures quoted in the prose of superseded versions (an earlier draft, a report published
-- again), with the version that superseded them: what an earlier version said.
select {{ star_except(ref('int_narrative_figures_versioned'), ['is_current_version'], 'figures') }}
from {{ ref('int_narrative_figures_versioned') }} as figures
where not is_current_version
