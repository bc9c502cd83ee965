-- Findings as the integrity suite wrote them, with the PDF page (or worksheet) of the line they name.
with findings as (
    select * from {{ source('audit', 'dq_finding') }}
),

pages as (
    select * from {{ ref('stg_raw__document_pages') }}
)

select
    findings.*,
    pages.page_no
from findings
left join pages
    on findings.document_id = pages.document_id
    and findings.line_no between pages.first_line and pages.last_line
