-- Published figures that are not money: rates (执行进度, 执行率, 利用率, 控制率, %), headcounts (编制数,
-- 实际在职人数, 人) and counts (数量, 个), under the same publication rule as fct_fiscal_amount (current
-- versions minus held-back tables). Kept apart so that summing amount_wan never mixes in a rate.
{{ incremental_by_publication_state() }}

with documents as (
    {{ publication_states_to_build('states.is_current') }}
),

amounts as (
    select * from {{ ref('int_fiscal_amounts_sourced') }}
)

select
    amounts.fact_id,
    amounts.document_id,
    amounts.unit_id,
    amounts.fiscal_year,
    amounts.phase_code,
    amounts.indicator_id,
    amounts.indicator_name,
    amounts.line_item,
    amounts.amount_printed as quantity,
    amounts.source_unit as unit_of_measure,
    amounts.measure_code,
    amounts.source_file,
    amounts.source_table,
    amounts.source_row_label,
    amounts.source_column,
    amounts.source_line,
    amounts.source_page,
    amounts.source_cell_box,
    amounts.source_value_text,
    documents.publication_state
from amounts
inner join documents on amounts.document_id = documents.document_id
where {{ not_held_back('amounts') }}
    and amounts.is_current_version
    and amounts.amount_wan is null
