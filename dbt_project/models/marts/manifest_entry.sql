-- Rows of the scrapers' manifest.csv files: what each says, the document it applies to and what could
-- not be used (an unknown kind, a year that is not one, a file the inbox does not hold).
with entries as (
    select * from {{ ref('stg_raw__manifest_entries') }}
),

documents as (
    select * from {{ ref('stg_raw__documents') }}
)

select
    entries.manifest_path,
    entries.manifest_hash,
    entries.line_no,
    entries.listed_file,
    entries.document_id,
    documents.file_name,
    entries.unit_name,
    entries.fiscal_year,
    entries.report_kind,
    entries.source_url,
    nullif(concat_ws('; ', entries.problem, case
        when entries.document_id is null and entries.listed_file <> ''
            then 'no file ''' || entries.listed_file || ''' in the inbox'
    end), '') as problem,
    entries.document_id is not null and entries.problem is null as is_applied,
    entries.read_at
from entries
left join documents on entries.document_id = documents.document_id
