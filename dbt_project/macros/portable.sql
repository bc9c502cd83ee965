{#-
  Where DuckDB and PostgreSQL spell the same thing differently. Every model is one SQL text; the few
  functions below are dispatched on the adapter (adapter.dispatch: duckdb__x for the local target,
  postgres__x for the server target). Everything else in the models is SQL both engines read alike
  (semi/anti joins are written as exists / not exists, grouping keys are listed).
-#}

{# a '/'-separated path as a list (1-based) #}
{% macro split_path(column) -%}{{ return(adapter.dispatch('split_path', 'fiscal')(column)) }}{%- endmacro %}
{% macro duckdb__split_path(column) -%}string_split({{ column }}, '/'){%- endmacro %}
{% macro postgres__split_path(column) -%}string_to_array({{ column }}, '/'){%- endmacro %}

{# number of elements of a list (0 for an empty one) #}
{% macro list_length(list) -%}{{ return(adapter.dispatch('list_length', 'fiscal')(list)) }}{%- endmacro %}
{% macro duckdb__list_length(list) -%}len({{ list }}){%- endmacro %}
{% macro postgres__list_length(list) -%}coalesce(cardinality({{ list }}), 0){%- endmacro %}

{# the n-th element counted from the end (1: the last); null when there is none #}
{% macro list_from_end(list, n) -%}{{ return(adapter.dispatch('list_from_end', 'fiscal')(list, n)) }}{%- endmacro %}
{% macro duckdb__list_from_end(list, n) -%}{{ list }}[-{{ n }}]{%- endmacro %}
{% macro postgres__list_from_end(list, n) -%}({{ list }})[cardinality({{ list }}) + 1 - {{ n }}]{%- endmacro %}

{# elements first..last (1-based, inclusive) #}
{% macro list_slice(list, first, last) -%}
    {{ return(adapter.dispatch('list_slice', 'fiscal')(list, first, last)) }}
{%- endmacro %}
{% macro duckdb__list_slice(list, first, last) -%}list_slice({{ list }}, {{ first }}, {{ last }}){%- endmacro %}
{% macro postgres__list_slice(list, first, last) -%}({{ list }})[{{ first }}:{{ last }}]{%- endmacro %}

{# one of the group's values (used where the group's values are one) #}
{% macro any_value(column) -%}{{ return(adapter.dispatch('any_value', 'fiscal')(column)) }}{%- endmacro %}
{% macro duckdb__any_value(column) -%}any_value({{ column }}){%- endmacro %}
{# PostgreSQL 16 has any_value; 15 (Debian 12) does not: min is one of the group's values #}
{% macro postgres__any_value(column) -%}min({{ column }}){%- endmacro %}

{# the most frequent non-null value #}
{% macro most_frequent(column) -%}{{ return(adapter.dispatch('most_frequent', 'fiscal')(column)) }}{%- endmacro %}
{% macro duckdb__most_frequent(column) -%}mode({{ column }}){%- endmacro %}
{% macro postgres__most_frequent(column) -%}mode() within group (order by {{ column }}){%- endmacro %}

{# capture group `group` of the first match of `pattern`; '' when it does not match, null for null #}
{% macro regexp_group(column, pattern, group) -%}
    {{ return(adapter.dispatch('regexp_group', 'fiscal')(column, pattern, group)) }}
{%- endmacro %}
{% macro duckdb__regexp_group(column, pattern, group) -%}regexp_extract({{ column }}, {{ pattern }}, {{ group }}){%- endmacro %}
{% macro postgres__regexp_group(column, pattern, group) -%}
    case when {{ column }} is not null then coalesce((regexp_match({{ column }}, {{ pattern }}))[{{ group }}], '') end
{%- endmacro %}

{# a number written as digits (-12, 3.5) cast to `type`; null for anything else #}
{% macro number_or_null(column, type) -%}
    {{ return(adapter.dispatch('number_or_null', 'fiscal')(column, type)) }}
{%- endmacro %}
{% macro duckdb__number_or_null(column, type) -%}try_cast({{ column }} as {{ type }}){%- endmacro %}
{% macro postgres__number_or_null(column, type) -%}
    case when {{ column }} ~ '^\s*-?[0-9]+(\.[0-9]+)?\s*$' then cast({{ column }} as {{ type }}) end
{%- endmacro %}

{# a double rounded to `digits` decimals, as a double #}
{% macro round_double(expression, digits) -%}
    {{ return(adapter.dispatch('round_double', 'fiscal')(expression, digits)) }}
{%- endmacro %}
{% macro duckdb__round_double(expression, digits) -%}round({{ expression }}, {{ digits }}){%- endmacro %}
{% macro postgres__round_double(expression, digits) -%}
    cast(round(cast({{ expression }} as numeric), {{ digits }}) as double precision)
{%- endmacro %}

{# a quotient as a double (DuckDB divides decimals into a double; PostgreSQL keeps numeric) #}
{% macro double_quotient(numerator, denominator) -%}
    {{ return(adapter.dispatch('double_quotient', 'fiscal')(numerator, denominator)) }}
{%- endmacro %}
{% macro duckdb__double_quotient(numerator, denominator) -%}({{ numerator }}) / ({{ denominator }}){%- endmacro %}
{% macro postgres__double_quotient(numerator, denominator) -%}
    cast({{ numerator }} as double precision) / cast({{ denominator }} as double precision)
{%- endmacro %}

{# nanoseconds since the epoch as a timestamp (milliseconds kept) #}
{% macro epoch_ns_timestamp(column) -%}
    {{ return(adapter.dispatch('epoch_ns_timestamp', 'fiscal')(column)) }}
{%- endmacro %}
{% macro duckdb__epoch_ns_timestamp(column) -%}epoch_ms({{ column }} // 1000000){%- endmacro %}
{% macro postgres__epoch_ns_timestamp(column) -%}
    timestamp '1970-01-01' + ({{ column }} / 1000000) * interval '1 millisecond'
{%- endmacro %}

{# every column of `relation` (a ref) but `except`, qualified by `alias` #}
{% macro star_except(relation, except, alias) -%}
    {{ return(adapter.dispatch('star_except', 'fiscal')(relation, except, alias)) }}
{%- endmacro %}
{% macro duckdb__star_except(relation, except, alias) -%}
    {{ alias }}.* exclude ({{ except | join(', ') }})
{%- endmacro %}
{% macro postgres__star_except(relation, except, alias) -%}
    {%- if not execute -%}{{ alias }}.*{%- else -%}
    {%- set kept = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) if column.name not in except -%}
        {%- do kept.append(alias ~ '.' ~ adapter.quote(column.name)) -%}
    {%- endfor -%}
    {{ kept | join(', ') }}
    {%- endif -%}
{%- endmacro %}

{# a sum of doubles printed with few decimals, summed exactly (a float sum depends on the order of the rows) #}
{% macro exact_sum(column) -%}
    cast(sum(cast({{ column }} as decimal(18, 6))) as double precision)
{%- endmacro %}
