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
    -- the first page holding the line, however the pages' line ranges were cut (one row per finding)
    (
        select min(pages.page_no)
        from pages
        where
            pages.document_id = findings.document_id
            and findings.line_no between pages.first_line and pages.last_line
    ) as page_no
from findings
