{#
    Models incremental by document (int_amounts_classified, int_performance_indicators_scored): a document's
    rows depend on nothing but its own parse and the reference seeds, so a refresh builds only the documents
    whose parse (document, parsed_at) the model does not hold yet, replacing their rows (delete+insert by
    document_id), and forgets documents that are no longer readable in the raw layer (a raw layer rebuilt
    from the store). A change to the models, seeds or parser rebuilds them in full (orchestration/assets.py).
#}
{% macro incremental_by_document() -%}
{{ config(
    materialized='incremental',
    unique_key='document_id',
    incremental_strategy='delete+insert',
    post_hook="delete from {{ this }} where document_id not in (
        select document_id from {{ ref('stg_raw__documents') }} where parse_status = 'parsed')"
) }}
{%- endmacro %}

{# the documents this model builds in this run: readable, and not held yet at their parse (CTE `documents`) #}
{% macro documents_to_build() -%}
    select stg.*
    from {{ ref('stg_raw__documents') }} as stg
    where stg.parse_status = 'parsed'
    {% if is_incremental() %}
        and not exists (
            select 1 from {{ this }} as built
            where built.document_id = stg.document_id and built.document_parsed_at = stg.parsed_at
        )
    {% endif %}
{%- endmacro %}

{# the rows of `relation` that belong to the documents of the CTE `documents` #}
{% macro rows_of_documents_to_build(relation) -%}
    select rows_.*
    from {{ relation }} as rows_
    where exists (select 1 from documents where documents.document_id = rows_.document_id)
{%- endmacro %}


{#
    Fact marts incremental by publication state (fct_fiscal_amount and the marts beside it): a document's rows
    in them depend on its own rows and on its publication state (int_document_publication_states: its parser version,
    its resolved metadata and unit, whether it is the current version, what holds it back), so a refresh builds only the documents whose state
    the mart does not hold yet, replacing their rows (delete+insert by document_id), and the post-hook drops
    every row built under a state that is no longer the document's (a version superseded since, a table held
    back since, a document no longer readable), including those of documents that now publish nothing here.
    A change to the models or seeds rebuilds these marts in full (orchestration/assets.py), and so does a mart
    without the publication_state column (built by an older version). The post-hook is an anti-join (NOT
    EXISTS), which both DuckDB and PostgreSQL run as a hash join whatever the number of documents.
    `state`: the column of int_document_publication_states the mart keeps as its publication_state
    (figures_state for the prose-figure marts, whose rows also depend on the codes their names resolve to).
#}
{% macro incremental_by_publication_state(state='publication_state') -%}
{{ config(
    materialized='incremental',
    unique_key='document_id',
    incremental_strategy='delete+insert',
    post_hook="delete from {{ this }} where not exists (
        select 1 from {{ ref('int_document_publication_states') }} as states
        where states.document_id = {{ this.identifier }}.document_id
            and states." ~ state ~ " = {{ this.identifier }}.publication_state)"
) }}
{%- endmacro %}

{# the documents whose rows this model builds in this run (CTE `documents`: document_id, publication_state):
   those meeting `condition` (a filter on int_document_publication_states) not held yet at their state #}
{% macro publication_states_to_build(condition='true', state='publication_state') -%}
    select states.document_id, states.{{ state }} as publication_state
    from {{ ref('int_document_publication_states') }} as states
    where {{ condition }}
    {% if is_incremental() %}
        and not exists (
            select 1 from {{ this }} as built
            where built.document_id = states.document_id and built.publication_state = states.{{ state }}
        )
    {% endif %}
{%- endmacro %}
