-- Versions of the same report part. A report (report_id: one unit, year and kind; ingest/report_resolution.py)
-- comes as one file or as a narrative file plus a table attachment (report_part): versions supersede one
-- another only within a part, so both halves of a split report are current together. Within a part a draft
-- (草稿, 征求意见稿 …) sorts before every final, then the newest version (first seen last, then the newer file)
-- is current: a draft never supersedes a final, whatever the order or mtime of the files. Older versions are
-- superseded when the next one was first seen (a draft that arrives after its final: when it arrived).
-- A version that reads worse than another of its part sorts before every version that reads completely, like
-- a draft: fewer tables, under 90 % of the cells, more rows the reader could not read (a truncated or damaged
-- copy), or a table the audit holds back where another version's same table passes (a copy with one digit
-- changed: its arithmetic no longer adds up). So a newer copy that reads worse never supersedes a complete one
-- by itself; a maintainer lets it (a waiver of its finding, or `fiscal withdraw` of the complete one). Both stay
-- visible, the worse one with why (reads_worse_reason). Built after the audit (dbt selection source:audit+), since it
-- reads the audit's holds; everything that says which version is current reads this model.
-- Ordered by: drafts first; then versions that read worse (tables, amounts, rows), then versions whose table
-- the audit holds back where a complete final passes; then the newest last. A copy cut short whose damaged
-- table no longer has anything to check therefore never wins over a complete version held back for a source
-- error: reading completely weighs more than passing the audit.

with documents as (
    select * from {{ ref('stg_raw__documents') }}
    where parse_status = 'parsed'
),

issues as (
    select document_id, count(*) as n_issues
    from {{ ref('stg_raw__parse_issues') }}
    group by document_id
),

measured as (
    select
        documents.*,
        coalesce(issues.n_issues, 0) as n_issues,
        max(documents.n_tables) over part as part_max_tables,
        max(documents.n_cells) over part as part_max_cells,
        min(coalesce(issues.n_issues, 0)) over part as part_min_issues
    from documents
    left join issues on documents.document_id = issues.document_id
    window part as (partition by documents.report_id, documents.report_part)
),

-- what the reader got: a truncated or damaged copy reads fewer tables, amounts or rows
read_graded as (
    select
        *,
        case
            when n_tables < part_max_tables
                then 'reads worse: ' || n_tables || ' tables where another version has ' || part_max_tables
            when n_cells < 0.9 * part_max_cells
                then 'reads worse: ' || n_cells || ' amounts where another version has ' || part_max_cells
            when n_issues > part_min_issues
                then 'reads worse: ' || n_issues || ' rows not read where another version has ' || part_min_issues
        end as read_worse_reason
    from measured
),

-- tables held back whole by unwaived error findings (quarantined_scope rows without a line)
held_tables as (
    select distinct held.document_id, held.table_code, held.rule_ids
    from {{ source('audit', 'quarantined_scope') }} as held
    where held.line_no is null
),

document_tables as (
    select document_id, table_code from {{ ref('stg_raw__report_tables') }}
    union
    select document_id, table_code from {{ ref('stg_raw__performance_tables') }}
),

-- per version: a table it holds back where another final version of its part that reads completely prints
-- the same table and passes (a draft or a damaged copy that passes proves nothing about this one)
held_where_another_passes as (
    select
        this_version.document_id,
        min(held_tables.table_code || ' held back by ' || held_tables.rule_ids || ' where version '
            || substr(other_version.document_id, 1, 12) || ' passes') as what
    from read_graded as this_version
    inner join held_tables on this_version.document_id = held_tables.document_id
    inner join read_graded as other_version
        on this_version.report_id = other_version.report_id
        and this_version.report_part = other_version.report_part
        and this_version.document_id <> other_version.document_id
        and not other_version.is_draft
        and other_version.read_worse_reason is null
    inner join document_tables as other_tables
        on other_version.document_id = other_tables.document_id
        and held_tables.table_code = other_tables.table_code
    where not exists (
        select 1 from held_tables as other_held
        where other_held.document_id = other_version.document_id
            and other_held.table_code = held_tables.table_code
    )
    group by this_version.document_id
),

graded as (
    select
        read_graded.*,
        held_where_another_passes.what is not null as is_held_worse,
        coalesce(read_graded.read_worse_reason, 'reads worse: ' || held_where_another_passes.what)
            as reads_worse_reason
    from read_graded
    left join held_where_another_passes on read_graded.document_id = held_where_another_passes.document_id
),

files as (
    select
        document_id,
        max(file_modified_at) as file_modified_at,
        string_agg(distinct file_name, ' | ' order by file_name) as file_names,
        count(*) as n_sightings
    from {{ ref('stg_raw__document_files') }}
    group by document_id
),

ordered as (
    select
        documents.document_id,
        documents.report_id,
        documents.report_part,
        documents.unit_name,
        documents.report_unit_name,
        documents.fiscal_year,
        documents.report_kind,
        documents.is_draft,
        documents.first_seen_at,
        documents.n_tables,
        documents.n_cells,
        documents.n_issues,
        documents.reads_worse_reason,
        documents.read_worse_reason,
        documents.is_held_worse,
        files.file_modified_at,
        files.file_names,
        files.n_sightings,
        -- the version that would be current if how each version reads were not weighed: when it is not the
        -- current one, a newer copy is kept out (is_kept_out, alerted)
        row_number() over (
            partition by documents.report_id, documents.report_part
            order by documents.is_draft desc, documents.first_seen_at, files.file_modified_at, documents.document_id
        ) as newest_number,
        row_number() over versions as version_number,
        lead(documents.first_seen_at) over versions as next_first_seen_at,
        lead(documents.document_id) over versions as superseded_by,
        count(*) over (partition by documents.report_id, documents.report_part) as n_versions
    from graded as documents
    left join files on documents.document_id = files.document_id
    window versions as (
        partition by documents.report_id, documents.report_part
        order by documents.is_draft desc, documents.read_worse_reason is not null desc, documents.is_held_worse desc,
            documents.first_seen_at, files.file_modified_at, documents.document_id
    )
)

select
    document_id,
    report_id,
    report_part,
    unit_name,
    report_unit_name,
    fiscal_year,
    report_kind,
    is_draft,
    version_number,
    n_versions,
    version_number = n_versions as is_current,
    newest_number = n_versions and version_number <> n_versions as is_kept_out,
    first_seen_at,
    -- greatest() skips nulls: the current version has no superseded_at
    case when next_first_seen_at is not null then greatest(next_first_seen_at, first_seen_at) end as superseded_at,
    superseded_by,
    reads_worse_reason,
    file_modified_at,
    file_names,
    n_sightings
from ordered
