{#
    Tests of the rows a build has not verified yet, on the tables incremental by document.

    int_amounts_classified, int_performance_indicators_scored and int_narrative_figures_located keep every
    document's rows from refresh to refresh and build only the new or re-parsed documents' rows. Their generic
    tests (unique, not_null, accepted_values, unique_per_document) each read one row, or the rows of one key,
    and each key names its document (the ids are hashes that start from the document id), so a row that
    passed once passes for as long as it is kept. Scanning the whole table on every refresh made one more
    report cost as much testing as the corpus: 8.7 s for unique_per_document alone at 100,000 reports.

    So each row carries the dbt invocation that built it (`build_invocation_id`), every `dbt build` records
    itself in `dbt_verified_builds` once all its nodes passed (on-run-end), and those tests read only the rows
    of invocations not recorded there: this build's, and those of any build that failed or stopped (its rows
    are tested again until a build passes). A full rebuild stamps every row, so it tests every row.
    Relationships tests still read the whole table: a parent row can go away under a row that is kept.
#}

{# the column each row of a table incremental by document carries #}
{% macro build_invocation_id() -%}
    cast('{{ invocation_id }}' as varchar) as build_invocation_id
{%- endmacro %}

{% macro verified_builds_relation() -%}
    {{ target.schema }}.dbt_verified_builds
{%- endmacro %}

{# on-run-start #}
{% macro create_verified_builds() -%}
    create table if not exists {{ verified_builds_relation() }} (invocation_id varchar, verified_at timestamp)
{%- endmacro %}

{# on-run-end: a build whose every node passed (a warning passes; an error, a failure or a skipped node does not) #}
{% macro remember_verified_build(results) -%}
    {%- set failed = results | selectattr('status', 'in', ['error', 'fail', 'skipped', 'runtime error']) | list -%}
    {%- if execute and flags.WHICH == 'build' and results and not failed -%}
        insert into {{ verified_builds_relation() }} values ('{{ invocation_id }}', {{ current_timestamp() }})
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{# dbt's own macro, overridden (as dbt documents for custom `where` logic): the relation a generic test reads #}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- set unverified = fiscal.reads_unverified_rows_only() -%}
    {%- if where or unverified -%}
        {%- set conditions = [] -%}
        {%- if where -%}{%- do conditions.append('(' ~ where ~ ')') -%}{%- endif -%}
        {%- if unverified -%}
            {%- do conditions.append('build_invocation_id not in (select invocation_id from '
                                     ~ verified_builds_relation() ~ ')') -%}
        {%- endif -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {% do return(filtered) %}
    {%- else -%}
        {% do return(relation) %}
    {%- endif -%}
{%- endmacro %}

{# whether the test being compiled reads only unverified rows: a row-wise test of a model whose rows carry
   build_invocation_id (documented on the model) #}
{% macro reads_unverified_rows_only() -%}
    {%- if not execute or model.resource_type != 'test' or not model.attached_node -%}
        {% do return(false) %}
    {%- endif -%}
    {%- set tested = graph.nodes.get(model.attached_node) -%}
    {%- set kind = (model.test_metadata or {}).get('name') -%}
    {% do return(tested is not none and 'build_invocation_id' in tested.columns
                 and kind in ['unique', 'not_null', 'accepted_values', 'unique_per_document']) %}
{%- endmacro %}
