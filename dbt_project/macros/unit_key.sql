{% macro unit_key(column) -%}
    -- the identity of a unit name: half-width brackets, no spaces, no trailing (汇总)
    regexp_replace(
        regexp_replace(replace(replace({{ column }}, '（', '('), '）', ')'), '\s+', '', 'g'),
        '\(汇总\)$', ''
    )
{%- endmacro %}
