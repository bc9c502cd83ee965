{% macro classification_name_key(column) -%}
    -- a 类/款/项 name as compared: half-width brackets, no spaces or quotes, without a trailing 支出
    -- (一般公共服务（类）支出 and the table's 一般公共服务支出 are one name)
    nullif(regexp_replace(
        regexp_replace(replace(replace({{ column }}, '（', '('), '）', ')'), '[\s"“”‘’]+', '', 'g'),
        '支出$', ''
    ), '')
{%- endmacro %}
