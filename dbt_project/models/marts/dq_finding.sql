-- Findings as the integrity suite wrote them, with the PDF page (or worksheet) of the line they name, and
-- whose problem each is (origin: source = the document's arithmetic, reader = what could not be read).
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
-- one page per finding, however the pages' line ranges were cut
qualify row_number() over (partition by findings.finding_id order by pages.page_no) = 1
