-- Each standard table of each document and whether its amounts are published.
with tables as (
    select * from {{ ref('stg_raw__report_tables') }}
),

versions as (
    select * from {{ ref('int_report_versions') }}
),

quarantined as (
    select * from {{ source('audit', 'quarantined_scope') }}
    where line_no is null
),

held_rows as (
    -- rows the reader could not read, held back while the rest of the table is published
    select
        document_id,
        table_code,
        count(*) as n_rows_held
    from {{ source('audit', 'quarantined_scope') }}
    where line_no is not null
    group by 1, 2
)

select
    tables.document_id || ':' || tables.table_code as report_table_id,
    tables.document_id,
    tables.table_code,
    tables.title,
    tables.printed_number,
    tables.printed_unit,
    tables.first_line,
    tables.last_line,
    tables.first_page,
    tables.last_page,
    tables.n_cells,
    tables.n_issues,
    tables.notes,
    case
        when quarantined.document_id is not null then 'quarantined'
        when tables.n_cells = 0 then 'empty'
        when not coalesce(versions.is_current, false) then 'superseded'
        else 'published'
    end as publication_status,
    quarantined.rule_ids as quarantine_rules,
    quarantined.origin as quarantine_origin,
    coalesce(held_rows.n_rows_held, 0) as n_rows_held
from tables
left join quarantined
    on tables.document_id = quarantined.document_id
    and tables.table_code = quarantined.table_code
left join held_rows
    on tables.document_id = held_rows.document_id
    and tables.table_code = held_rows.table_code
left join versions on tables.document_id = versions.document_id
