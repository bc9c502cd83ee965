-- Analysts' view of self-evaluation scores: unit, year, scope (department or project), indicator
-- path, weight, score and score ratio, with the line each figure was read from. A score table whose
-- layout was recovered but whose printed weights or totals do not add up is shown too, marked
-- held_back with the rules that hold it (its facts stay out of fct_performance_score); a table whose
-- layout could not be recovered is never shown here, because its pairings cannot be trusted.
-- A document's rows follow from its own rows and publication state, so only documents whose state
-- changed are built (incremental by publication state, as the fact marts read here, whose rows carry
-- the document's current key).
{{ incremental_by_publication_state() }}

with documents as (
    {{ publication_states_to_build('states.is_current') }}
),

published as (
    select
        fct.*,
        'published' as publication_status,
        cast(null as varchar) as held_back_by
    from {{ ref('fct_performance_score') }} as fct
    where exists (select 1 from documents where documents.document_id = fct.document_id)
),

recoverable_tables as (
    select document_id, table_code from {{ ref('stg_raw__performance_tables') }}
    where recoverable
),

held_back as (
    select
        quarantined.*,
        'held_back' as publication_status,
        quarantined.quarantine_rules as held_back_by
    from {{ ref('fct_performance_score_quarantined') }} as quarantined
    where quarantined.is_current_version
        and exists (select 1 from documents where documents.document_id = quarantined.document_id)
        and exists (
            select 1 from recoverable_tables
            where quarantined.document_id = recoverable_tables.document_id
                and quarantined.table_code = recoverable_tables.table_code
        )
),

scores as (
    select
        unit_name, fiscal_year, scope_name, table_code, table_kind, level, indicator_path, indicator_name, weight,
        score, score_is_derived, score_ratio, publication_status, held_back_by, file_name, line_no, page_no,
        indicator_id, unit_id, document_id, publication_state
    from published
    union all
    select
        unit_name, fiscal_year, scope_name, table_code, table_kind, level, indicator_path, indicator_name, weight,
        score, score_is_derived, score_ratio, publication_status, held_back_by, file_name, line_no, page_no,
        indicator_id, unit_id, document_id, publication_state
    from held_back
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
    publication_status,
    held_back_by,
    file_name as source_file,
    line_no as source_line,
    page_no as source_page,
    indicator_id,
    unit_id,
    document_id,
    publication_state
from scores
where table_kind <> 'target_declaration'
