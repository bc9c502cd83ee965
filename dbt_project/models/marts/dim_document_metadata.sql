-- Every reading of each document's unit, year, kind and draft mark, with its source and whether it is the
-- one dim_document shows (the first source by the precedence of ingest/metadata.py). Where readings
-- disagree, all are kept here and summarised in dim_document.metadata_conflicts.
with candidates as (
    select * from {{ ref('stg_raw__metadata_candidates') }}
),

documents as (
    select * from {{ ref('stg_raw__documents') }}
)

select
    candidates.document_id,
    documents.file_name,
    candidates.metadata_field,
    candidates.candidate_value,
    candidates.candidate_source,
    case candidates.metadata_field
        when 'unit' then candidates.candidate_source = documents.unit_source
            and candidates.candidate_value = documents.unit_name
        when 'year' then candidates.candidate_source = documents.year_source
            and candidates.candidate_value = documents.fiscal_year::varchar
        when 'kind' then candidates.candidate_source = documents.kind_source
            and candidates.candidate_value = documents.report_kind
        when 'draft' then candidates.candidate_source = documents.draft_source
    end as is_chosen,
    candidates.line_no,
    candidates.page_no,
    candidates.evidence,
    candidates.n_printed
from candidates
inner join documents on candidates.document_id = documents.document_id
