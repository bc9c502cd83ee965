-- Figures quoted in the prose of readable documents, with their unit and the classification code their
-- subject names. A 类 / 款 / 项 chain printed in the prose (政协事务（款）行政运行（项）) is looked up among the
-- codes the tables print with those names: the leaf name at its level, every parent name the prose gives at
-- the parent's level. The same unit and year's tables are asked first, then every report's (the names are
-- the national classification's); a name that fits more than one code gets none, and so does a name no
-- table prints (every code linked is in dim_classification).
with figures as (
    select * from {{ ref('stg_raw__narrative_figures') }}
),

documents as (
    select * from {{ ref('stg_raw__documents') }}
    where parse_status = 'parsed'
),

units as (
    select * from {{ ref('int_units_resolved') }}
),

located as (
    select
        substr(md5(figures.document_id || ':' || figures.figure_no), 1, 16) as figure_id,
        figures.*,
        units.unit_id,
        documents.unit_name,
        documents.fiscal_year,
        documents.report_kind
    from figures
    inner join documents on figures.document_id = documents.document_id
    inner join units on documents.unit_name = units.unit_name
),

printed_names as (
    -- every code the tables print with a name, and the unit and year that printed it
    select distinct
        classification_system,
        classification_code,
        unit_id,
        fiscal_year,
        {{ classification_name_key('row_label') }} as name_key
    from {{ ref('int_amounts_classified') }}
    where row_code is not null and classification_code is not null
),

national_names as (
    -- the same names whoever printed them: the national classification, a few thousand rows however many
    -- reports print 行政运行 (joining figures to every report's rows grew with the square of the reports)
    select distinct classification_system, classification_code, name_key
    from printed_names
),

wanted as (
    select
        figure_id,
        unit_id,
        fiscal_year,
        {{ classification_name_key('class_name') }} as class_key,
        {{ classification_name_key('kuan_name') }} as kuan_key,
        {{ classification_name_key('xiang_name') }} as xiang_key,
        case when xiang_name is not null then 7 when kuan_name is not null then 5 else 3 end as code_length
    from located
    where coalesce(class_name, kuan_name, xiang_name) is not null
),

candidates as (
    select
        wanted.figure_id,
        leaf.classification_system,
        leaf.classification_code,
        max(case when same_report.name_key is not null then 1 else 0 end) as printed_by_same_report
    from wanted
    inner join national_names as leaf
        on leaf.name_key = coalesce(wanted.xiang_key, wanted.kuan_key, wanted.class_key)
        and length(leaf.classification_code) = wanted.code_length
    left join printed_names as same_report
        on same_report.classification_system = leaf.classification_system
        and same_report.classification_code = leaf.classification_code
        and same_report.name_key = leaf.name_key
        and same_report.unit_id = wanted.unit_id
        and same_report.fiscal_year = wanted.fiscal_year
    where (
        wanted.code_length = 5 or wanted.kuan_key is null or exists (
            select 1 from national_names as parent
            where parent.classification_system = leaf.classification_system
                and parent.classification_code = left(leaf.classification_code, 5)
                and parent.name_key = wanted.kuan_key
        )
    )
    and (
        wanted.code_length = 3 or wanted.class_key is null or exists (
            select 1 from national_names as parent
            where parent.classification_system = leaf.classification_system
                and parent.classification_code = left(leaf.classification_code, 3)
                and parent.name_key = wanted.class_key
        )
    )
    group by wanted.figure_id, leaf.classification_system, leaf.classification_code
),

ranked as (
    select
        *,
        max(printed_by_same_report) over (partition by figure_id) as best
    from candidates
),

resolved as (
    select
        figure_id,
        {{ any_value('classification_system') }} as classification_system,
        {{ any_value('classification_code') }} as classification_code
    from ranked
    where printed_by_same_report = best
    group by figure_id
    having count(*) = 1
)

select
    located.figure_id,
    located.document_id,
    located.file_name,
    located.unit_id,
    located.unit_name,
    located.fiscal_year,
    located.report_kind,
    located.phase_code,
    located.measure,
    located.subject,
    located.value,
    located.printed_unit,
    located.printed_text,
    located.amount_wan,
    located.reference_year,
    located.class_name,
    located.kuan_name,
    located.xiang_name,
    resolved.classification_system,
    resolved.classification_code,
    located.section,
    located.figure_no,
    located.line_no,
    located.page_no,
    located.text
from located
left join resolved on located.figure_id = resolved.figure_id
