-- One row per readable document: a key of everything outside the document's own rows that decides which of
-- them a fact mart publishes, and where: the parser version that read it (a document's rows are a function
-- of its bytes, the parser and the models; the parse time would differ between two warehouses holding the
-- same facts, and the key is published with them), what the inbox resolved of it since (unit, year, kind,
-- report and provenance: a manifest row or a companion file changes them without a new parse; and the unit
-- key, which another document of the same unit can change), whether it is the current version of its
-- report part and what superseded it (int_report_versions), and what the audit holds back of it (its rows of
-- audit.quarantined_scope, with their rules, counts and origin). The fact marts incremental by publication
-- state (macro incremental_by_publication_state) rebuild a document's rows only when this key changed: one
-- more report in a warehouse of 10,000 rebuilds its own rows and those of the versions it supersedes, not
-- 1.4 million. Built after the audit (it reads the audit's holds). A change to the models or seeds rebuilds
-- the marts in full (orchestration/assets.py), so the key need not name them.
-- figures_state is the key of the prose-figure marts (fct_narrative_figure and its superseded twin): the
-- same, and the classification codes the document's figures resolve to (int_narrative_figure_codes), which
-- another report's tables can change without touching this document.
-- unit_name_state is the key of mart_budget_execution, which names the unit as dim_unit does (its spelling
-- that sorts first among every report of the unit, which another report of the unit can change): the same, and
-- that name.
{{ config(materialized='table') }}

with documents as (
    select
        document_id,
        parser_version,
        unit_name,
        -- the resolved metadata the marts carry, each field tagged (a null is not an empty string)
        concat_ws(
            '|',
            'f:' || file_name, 'u:' || unit_name, 'y:' || cast(fiscal_year as varchar), 'k:' || report_kind,
            'r:' || report_unit_name, 'i:' || report_id, 'p:' || report_part, 'd:' || cast(is_draft as varchar),
            's:' || source_url, 'us:' || unit_source, 'ys:' || year_source, 'ks:' || kind_source,
            'ds:' || draft_source, 'c:' || metadata_conflicts
        ) as resolved
    from {{ ref('stg_raw__documents') }}
    where parse_status = 'parsed'
),

units as (
    select unit_name, unit_id, unit_display_name from {{ ref('int_units_resolved') }}
),

versions as (
    select document_id, is_current, superseded_by, superseded_at from {{ ref('int_report_versions') }}
),

holds as (
    select
        document_id,
        string_agg(
            table_code || '|' || coalesce(cast(line_no as varchar), '') || '|' || rule_ids || '|'
                || cast(n_findings as varchar) || '|' || origin,
            ';' order by table_code, line_no nulls first
        ) as held
    from {{ source('audit', 'quarantined_scope') }}
    group by document_id
),

figure_codes as (
    select
        document_id,
        string_agg(figure_id || '|' || classification_system || '|' || classification_code, ';' order by figure_id)
            as codes
    from {{ ref('int_narrative_figure_codes') }}
    group by document_id
),

states as (
    select
        documents.document_id,
        coalesce(versions.is_current, false) as is_current,
        holds.document_id is not null as is_held,
        md5(
            cast(documents.parser_version as varchar)
            || '#' || coalesce(documents.resolved, '') || '#' || coalesce(units.unit_id, '')
            || '#' || cast(coalesce(versions.is_current, false) as varchar)
            || '#' || coalesce(versions.superseded_by, '')
            || '#' || coalesce(cast(versions.superseded_at as varchar), '')
            || '#' || coalesce(holds.held, '')
        ) as publication_state,
        figure_codes.codes as figure_codes,
        units.unit_display_name
    from documents
    left join units on documents.unit_name = units.unit_name
    left join versions on documents.document_id = versions.document_id
    left join holds on documents.document_id = holds.document_id
    left join figure_codes on documents.document_id = figure_codes.document_id
)

select
    document_id,
    is_current,
    is_held,
    publication_state,
    md5(publication_state || '#' || coalesce(figure_codes, '')) as figures_state,
    md5(publication_state || '#' || coalesce(unit_display_name, '')) as unit_name_state
from states
