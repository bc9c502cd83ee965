-- Figures quoted in the prose of the current version of every readable report (部门概况, 情况说明,
-- 编制说明 …): one row per printed amount or percentage, with what it measures, the phrase naming it and
-- where it is printed. A figure whose subject names a 类 / 款 / 项 the tables print links to its code.
select {{ star_except(ref('int_narrative_figures_versioned'), ['is_current_version', 'superseded_by_document_id', 'superseded_at'], 'figures') }}
from {{ ref('int_narrative_figures_versioned') }} as figures
where is_current_version
