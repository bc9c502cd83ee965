-- Findings as the integrity suite wrote them, with the PDF page (or worksheet) of the line they name, and
-- whose problem each is (origin: source = the document's arithmetic, reader = what could not be read).
with findings as (
    select * from {{ source('audit', 'dq_finding') }}
),

pages as (
    select * from {{ ref('stg_raw__document_pages') }}
)

select
    -- typed: a column the audit wrote all null (no waiver yet) would otherwise be of type NULL
    findings.finding_id,
    findings.document_id,
    findings.table_code,
    cast(findings.side as varchar) as side,
    cast(findings.row_code as varchar) as row_code,
    cast(findings.row_label as varchar) as row_label,
    cast(findings.column_path as varchar) as column_path,
    findings.line_no,
    findings.rule_id,
    findings.rule_name,
    findings.expected,
    findings.actual,
    findings.difference,
    findings.tolerance,
    findings.n_addends,
    cast(findings.addends as varchar) as addends,
    findings.severity,
    findings.message,
    cast(findings.data_docs_page as varchar) as data_docs_page,
    findings.origin,
    cast(findings.scope as varchar) as scope,
    findings.file_name,
    findings.unit_name,
    findings.fiscal_year,
    findings.waived,
    cast(findings.waiver_reason as varchar) as waiver_reason,
    findings.first_seen_at,
    -- the first page holding the line, however the pages' line ranges were cut (one row per finding)
    (
        select min(pages.page_no)
        from pages
        where
            pages.document_id = findings.document_id
            and findings.line_no between pages.first_line and pages.last_line
    ) as page_no
from findings
