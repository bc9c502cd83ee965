-- Budget execution by item or function: the amounts of each phase side by side, the movements
-- between them, the printed execution rate and the one recomputed from the amounts.
-- Incremental by publication state and the unit's name (unit_name_state: the name is dim_unit's, which another
-- report of the unit can change): only documents whose state changed. It was rebuilt whole on every refresh
-- (1.0-1.5 s of one more report at 10,000 reports).
{{ incremental_by_publication_state(state='unit_name_state') }}

with documents as (
    {{ publication_states_to_build('states.is_current', state='unit_name_state') }}
),

amounts as (
    select sourced.* from {{ ref('int_fiscal_amounts_sourced') }} as sourced
    where sourced.is_current_version and sourced.source_table like 'BUD_%' and sourced.measure_code is not null
        and exists (select 1 from documents where documents.document_id = sourced.document_id)
),

quarantined as (
    select document_id, table_code from {{ source('audit', 'quarantined_scope') }}
),

published as (
    select amounts.*
    from amounts
    where not exists (
        select 1 from quarantined
        where amounts.document_id = quarantined.document_id
            and amounts.source_table = quarantined.table_code
    )
),

units as (
    select unit_id, unit_name from {{ ref('dim_unit') }}
),

report_tables as (
    select document_id, table_code, title from {{ ref('stg_raw__report_tables') }}
),

items as (
    select
        document_id,
        unit_id,
        fiscal_year,
        source_table,
        source_row_label,
        {{ any_value('line_item') }} as line_item,
        {{ any_value('classification_code') }} as classification_code,
        {{ any_value('source_file') }} as source_file,
        min(source_line) as source_line,
        sum(amount_wan) filter (where measure_code = 'approved') as approved_wan,
        sum(amount_wan) filter (where measure_code = 'carried_over') as carried_over_wan,
        sum(amount_wan) filter (where measure_code = 'supplementary') as supplementary_wan,
        sum(amount_wan) filter (where measure_code = 'adjustment') as adjustment_wan,
        sum(amount_wan) filter (where measure_code = 'adjusted') as adjusted_wan,
        sum(amount_wan) filter (where measure_code = 'executed') as executed_wan,
        sum(amount_wan) filter (where measure_code = 'remaining') as remaining_wan,
        max(amount_printed) filter (where measure_code = 'execution_rate_stated') as execution_rate_stated_pct
    from published
    group by 1, 2, 3, 4, 5
)

select
    units.unit_name,
    items.fiscal_year,
    items.source_table,
    report_tables.title as table_title,
    items.source_row_label as item,
    items.line_item,
    items.classification_code,
    items.approved_wan,
    items.carried_over_wan,
    items.supplementary_wan,
    items.adjustment_wan,
    items.adjusted_wan,
    items.executed_wan,
    items.remaining_wan,
    items.execution_rate_stated_pct,
    {{ round_double(double_quotient('100 * items.executed_wan', 'nullif(items.adjusted_wan, 0)'), 2) }} as execution_rate_pct,
    items.source_file,
    items.source_line,
    items.unit_id,
    items.document_id,
    documents.publication_state
from items
inner join units on items.unit_id = units.unit_id
inner join documents on items.document_id = documents.document_id
left join report_tables
    on items.document_id = report_tables.document_id
    and items.source_table = report_tables.table_code
