-- Declared performance targets (绩效目标申报表) and the targets and results printed on self-evaluation
-- forms (年度指标值 / 实际完成值): the text as printed, with its comparison, number and unit parsed
-- so analysts can filter quantified targets. Nothing here is summed; the text stays the source.
-- Incremental by publication state, as fct_performance_score it reads (its rows carry the document's
-- current key): only documents whose state changed.
{{ incremental_by_publication_state() }}

with documents as (
    {{ publication_states_to_build('states.is_current') }}
),

nodes as (
    select fct.* from {{ ref('fct_performance_score') }} as fct
    where (fct.target_text is not null or fct.actual_text is not null)
        and exists (select 1 from documents where documents.document_id = fct.document_id)
),

tables as (
    select document_id, table_code, title from {{ ref('stg_raw__performance_tables') }}
),

parsed as (
    select
        nodes.*,
        tables.title as table_title,
        {{ regexp_group('nodes.target_text', "'(≥|≤|>=|<=|>|<|不低于|不少于|不高于|不超过|至少|达到|达)'", 1) }} as operator_printed,
        {{ regexp_group('nodes.target_text', "'(-?[0-9][0-9,]*(\.[0-9]+)?)\s*(%|万元|元|人次|人|次|个|天|分钟|小时|平方米|件|家|项|部|台|套|G)?'", 1) }}
            as target_number_text,
        nullif(-- 80%, 12 次, and Shanghai's 80.00(%) / 12.00(次)
            {{ regexp_group('nodes.target_text', "'-?[0-9][0-9,]*(\.[0-9]+)?\s*[(（]?(%|万元|元|万人次|人次|人数|人|次|个|天|分钟|小时|平方米|件|家|项|部|台|套|G)'", 2) }}, '') as target_unit,
        {{ regexp_group('nodes.actual_text', "'(-?[0-9][0-9,]*(\.[0-9]+)?)'", 1) }} as actual_number_text
    from nodes
    left join tables
        on nodes.document_id = tables.document_id
        and nodes.table_code = tables.table_code
)

select
    unit_name,
    fiscal_year,
    {{ number_or_null("nullif(" ~ regexp_group('table_title', "'(20[0-9]{2})\s*年'", 1) ~ ", '')", 'integer') }} as target_year,
    scope_name as project_name,
    table_code,
    table_kind,
    level,
    indicator_path,
    indicator_name,
    target_text,
    case
        when target_number_text = '' then null
        when operator_printed in ('≥', '>=', '不低于', '不少于', '至少', '达到', '达') then '>='
        when operator_printed in ('≤', '<=', '不高于', '不超过') then '<='
        when operator_printed in ('>', '<') then operator_printed
        when target_number_text <> '' then '='
    end as target_operator,
    {{ number_or_null("replace(nullif(target_number_text, ''), ',', '')", 'double precision') }} as target_value,
    target_unit,
    actual_text,
    {{ number_or_null("replace(nullif(actual_number_text, ''), ',', '')", 'double precision') }} as actual_value,
    weight,
    score,
    deviation_reason,
    file_name as source_file,
    line_no as source_line,
    page_no as source_page,
    indicator_id,
    unit_id,
    document_id,
    publication_state
from parsed
