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

{# the filter on stg_raw__documents (as `alias`) that keeps the documents this model does not hold yet #}
{% macro not_built_yet(alias) -%}
    {% if is_incremental() %}
        and not exists (
            select 1 from {{ this }} as built
            where built.document_id = {{ alias }}.document_id and built.document_parsed_at = {{ alias }}.parsed_at
        )
    {% endif %}
{%- endmacro %}
