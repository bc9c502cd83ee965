-- 旧版本叙述数字: figures quoted in the prose of superseded versions (an earlier draft, a report published
-- again), with the version that superseded them: what an earlier version said.
-- Incremental by publication state (figures_state), as fct_narrative_figure.
{{ incremental_by_publication_state(state='figures_state') }}

with documents as (
    {{ publication_states_to_build('not states.is_current', state='figures_state') }}
),

figures as (
    select * from {{ ref('int_narrative_figures_versioned') }}
)

select
    {{ star_except(ref('int_narrative_figures_versioned'), ['is_current_version'], 'figures') }},
    documents.publication_state
from figures
inner join documents on figures.document_id = documents.document_id
where not figures.is_current_version
