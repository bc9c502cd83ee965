{#
    Tests of the rows no build has verified yet, on the tables incremental by document.

    int_amounts_classified, int_performance_indicators_scored and int_narrative_figures_located keep every
    document's rows from refresh to refresh and build only the new or re-parsed documents' rows. Their row-wise
    tests (unique, not_null, accepted_values, unique_per_document) each read one row, or the rows of one key,
    and each key names its document (the ids are hashes that start from the document id; delete+insert writes
    all of a document's rows in one build), so a row that passed a test passes it for as long as it is kept.
    Scanning the whole table on every refresh made one more report cost as much testing as the corpus: 8.7 s
    for unique_per_document alone at 100,000 reports.

    So each row carries the dbt invocation that built it (`build_invocation_id`). When every row-wise test of
    such a model ran and passed in a `dbt build`, on-run-end records each invocation whose rows the model holds
    in `dbt_verified_rows`, under a key of those tests' definitions (`row_wise_tests_key`); the tests then read
    only the rows of invocations not recorded for the model under the key they have now (get_where_subquery).
    A build that failed or stopped, or ran only some of the tests, records nothing: its rows are read again by
    the next build. A changed, added or removed test changes the key: every row is read again once. A full
    rebuild stamps every row anew. Relationships tests still read the whole table: a parent row can go away
    under a row that is kept.
#}

{% macro row_wise_test_kinds() -%}
    {% do return(['unique', 'not_null', 'accepted_values', 'unique_per_document']) %}
{%- endmacro %}

{# the column each row of a table incremental by document carries #}
{% macro build_invocation_id() -%}
    cast('{{ invocation_id }}' as varchar) as build_invocation_id
{%- endmacro %}

{% macro verified_rows_relation() -%}
    {{ target.schema }}.dbt_verified_rows
{%- endmacro %}

{# the row-wise tests of a model (graph nodes), by id #}
{% macro row_wise_tests(model_id) -%}
    {%- set found = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'test' and node.attached_node == model_id
            and (node.test_metadata or {}).get('name') in fiscal.row_wise_test_kinds() -%}
        {%- do found.append(node) -%}
    {%- endfor -%}
    {% do return(found | sort(attribute='unique_id')) %}
{%- endmacro %}

{# whether a model's rows carry build_invocation_id (documented on the model) #}
{% macro is_stamped(node) -%}
    {% do return(node is not none and node.resource_type == 'model' and 'build_invocation_id' in node.columns) %}
{%- endmacro %}

{# what a verification holds for: the definitions of a model's row-wise tests (row_wise_tests) #}
{% macro row_wise_tests_key(tests) -%}
    {%- set parts = [] -%}
    {%- for node in tests -%}
        {%- do parts.append(node.unique_id ~ tojson(node.test_metadata, sort_keys=true)
                            ~ tojson(node.config, sort_keys=true)) -%}
    {%- endfor -%}
    {% do return(local_md5(parts | join('\n'))) %}
{%- endmacro %}

{# on-run-start #}
{% macro create_verified_rows() -%}
    create table if not exists {{ verified_rows_relation() }} (
        model_id varchar, tests_key varchar, invocation_id varchar, verified_at timestamp)
{%- endmacro %}

{# on-run-end: for each stamped model whose every row-wise test passed in this build, every invocation whose rows
   it holds and those tests have now read #}
{% macro remember_verified_rows(results) -%}
    {%- set statements = [] -%}
    {%- if execute and flags.WHICH == 'build' -%}
        {%- set passed = [] -%}
        {%- for result in results if result.node.resource_type == 'test' and result.status == 'pass' -%}
            {%- do passed.append(result.node.unique_id) -%}
        {%- endfor -%}
        {%- for node in graph.nodes.values() if fiscal.is_stamped(node) -%}
            {%- set tests = fiscal.row_wise_tests(node.unique_id) -%}
            {%- if tests and tests | map(attribute='unique_id') | reject('in', passed) | list | length == 0 -%}
                {%- set key = fiscal.row_wise_tests_key(tests) -%}
                {%- do statements.append(
                    "insert into " ~ verified_rows_relation() ~ " select distinct '" ~ node.unique_id ~ "', '"
                    ~ key ~ "', build_invocation_id, " ~ current_timestamp() ~ " from " ~ node.relation_name
                    ~ " where build_invocation_id not in (select invocation_id from " ~ verified_rows_relation()
                    ~ " where model_id = '" ~ node.unique_id ~ "' and tests_key = '" ~ key ~ "')") -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ (statements or ['select 1']) | join(';\n') }}
{%- endmacro %}

{# dbt's own macro, overridden (as dbt documents for custom `where` logic): the relation a generic test reads #}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- set tested = fiscal.unverified_rows_only() -%}
    {%- if where or tested -%}
        {%- set conditions = [] -%}
        {%- if where -%}{%- do conditions.append('(' ~ where ~ ')') -%}{%- endif -%}
        {%- if tested -%}
            {%- do conditions.append("build_invocation_id not in (select invocation_id from "
                                     ~ verified_rows_relation() ~ " where model_id = '" ~ tested
                                     ~ "' and tests_key = '" ~ fiscal.row_wise_tests_key(fiscal.row_wise_tests(tested))
                                     ~ "')") -%}
        {%- endif -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {% do return(filtered) %}
    {%- else -%}
        {% do return(relation) %}
    {%- endif -%}
{%- endmacro %}

{# the id of the model the test being compiled reads only the unverified rows of (a row-wise test of a model whose
   rows carry build_invocation_id, documented on the model), or none #}
{% macro unverified_rows_only() -%}
    {%- if not execute or model.resource_type != 'test' or not model.attached_node -%}
        {% do return(none) %}
    {%- endif -%}
    {%- set kind = (model.test_metadata or {}).get('name') -%}
    {%- if fiscal.is_stamped(graph.nodes.get(model.attached_node)) and kind in fiscal.row_wise_test_kinds() -%}
        {% do return(model.attached_node) %}
    {%- endif -%}
    {% do return(none) %}
{%- endmacro %}
