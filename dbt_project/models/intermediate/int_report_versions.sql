-- Versions of the same report: one unit, year and report kind. The newest version (first seen last,
-- then the newer file) is current; older ones are superseded when the next one was first seen.
-- A report split into a narrative file (no tables) and a table attachment is two parts, not two
-- versions: each part is superseded only by a newer version of the same part.
with documents as (
    select * from {{ ref('stg_raw__documents') }}
    where parse_status = 'parsed'
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
        documents.unit_name,
        documents.fiscal_year,
        documents.report_kind,
        documents.first_seen_at,
        files.file_modified_at,
        files.file_names,
        files.n_sightings,
        row_number() over versions as version_number,
        lead(documents.first_seen_at) over versions as next_first_seen_at,
        lead(documents.document_id) over versions as superseded_by,
        count(*) over (partition by documents.unit_name, documents.fiscal_year, documents.report_kind,
                                   documents.n_tables = 0)
            as n_versions
    from documents
    left join files on documents.document_id = files.document_id
    window versions as (
        partition by documents.unit_name, documents.fiscal_year, documents.report_kind, documents.n_tables = 0
        order by documents.first_seen_at, files.file_modified_at, documents.document_id
    )
)

select
    document_id,
    unit_name,
    fiscal_year,
    report_kind,
    version_number,
    n_versions,
    version_number = n_versions as is_current,
    first_seen_at,
    next_first_seen_at as superseded_at,
    superseded_by,
    file_modified_at,
    file_names,
    n_sightings
from ordered
