-- Figures quoted in the prose of the current version of every readable report (部门概况, 情况说明,
-- 编制说明 …): one row per printed amount or percentage, with what it measures, the phrase naming it and
-- where it is printed. A figure whose subject names a 类 / 款 / 项 the tables print links to its code.
-- Incremental by publication state (figures_state): only documents whose parser version, resolved metadata,
-- version status, holds or figure codes changed are rebuilt; the table was rewritten whole on every refresh
-- (6.8 million figures with their sentences at 100,000 reports).
{{ incremental_by_publication_state(state='figures_state') }}

with documents as (
    {{ publication_states_to_build('states.is_current', state='figures_state') }}
),

figures as (
    select * from {{ ref('int_narrative_figures_versioned') }}
)

select
    {{ star_except(ref('int_narrative_figures_versioned'), ['is_current_version', 'superseded_by_document_id', 'superseded_at'], 'figures') }},
    documents.publication_state
from figures
inner join documents on figures.document_id = documents.document_id
where figures.is_current_version
