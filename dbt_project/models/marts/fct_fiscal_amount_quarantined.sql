-- 隔离区: amounts held back with the findings that hold them, readable but not in the published facts.
with amounts as (
    select * from {{ ref('int_amounts_classified') }}
),

quarantined as (
    select * from {{ source('audit', 'quarantined_scope') }}
)

select
    amounts.fact_id,
    amounts.document_id,
    amounts.unit_id,
    amounts.fiscal_year,
    amounts.phase_code,
    amounts.classification_code,
    amounts.indicator_name,
    amounts.line_item,
    amounts.side,
    amounts.amount_wan,
    amounts.file_name as source_file,
    amounts.table_code as source_table,
    amounts.row_label as source_row_label,
    amounts.row_code as source_row_code,
    amounts.column_path as source_column,
    amounts.line_no as source_line,
    amounts.value_text as source_value_text,
    quarantined.rule_ids as quarantine_rules,
    quarantined.n_findings as quarantine_findings
from amounts
inner join quarantined
    on amounts.document_id = quarantined.document_id
    and amounts.table_code = quarantined.table_code
