{#- An amount of `alias` (a row of int_fiscal_amounts_sourced) is not held back: no unwaived error finding
    holds its table, or its row (a quarantined_scope row with a line_no), in audit.quarantined_scope. One
    definition for every fact model that publishes (current, quantities, superseded versions). -#}
{% macro not_held_back(alias) -%}
not exists (
    select 1 from {{ source('audit', 'quarantined_scope') }} as held
    where {{ alias }}.document_id = held.document_id
        and {{ alias }}.source_table = held.table_code
        and (held.line_no is null or held.line_no = {{ alias }}.source_line)
)
{%- endmacro %}
