"""Every inbox format rendered to one line model: text as it is, PDF / DOCX / XLSX through their readers.

- ``model``         the rendered report: lines, and where each came from (page, cell boxes)
- ``table_repair``  grid repairs shared by PDF, DOCX and XLSX tables
- ``pdf``           ruled tables and prose lines, page by page, from page objects pdfium reads (``pdf_pdfium``;
                    pdfplumber where pdfium cannot decide)
- ``office``        python-docx and openpyxl
"""

from __future__ import annotations

from ingest.reader import ReportFile, UnreadableReport, decode_text
from ingest.renderings.model import RenderedReport, text_rendering


def render_report(report: ReportFile) -> RenderedReport:
    """The report's lines, whatever its format; UnreadableReport says why a file cannot be read."""
    from ingest.renderings.office import UnreadableOffice, office_kind, render_docx, render_xlsx

    data = report.data
    if data[:1024].lstrip().startswith(b"%PDF-"):
        # imported for PDFs only: pdfium's library takes ~0.25 s to load in each parse worker
        from ingest.renderings.pdf import UnreadablePdf, render_pdf

        try:
            rendered = render_pdf(data)
        except UnreadablePdf as exc:
            raise UnreadableReport(f"{report.file_name}: {exc}") from exc
        if not any(line.strip() for line in rendered.lines):
            raise UnreadableReport(f"{report.file_name}: PDF of {rendered.page_count} pages without a text "
                                   "layer (scanned?); expected text, OCR it first")
        return rendered
    try:
        kind = office_kind(data)
        if kind == "docx":
            return render_docx(data)
        if kind == "xlsx":
            return render_xlsx(data)
        if data.startswith(b"PK\x03\x04"):
            raise UnreadableOffice("a ZIP package that is not a readable DOCX or XLSX (cut short or damaged: "
                                   "no readable word/document.xml or xl/workbook.xml)")
    except UnreadableOffice as exc:
        raise UnreadableReport(f"{report.file_name}: {exc}") from exc
    return text_rendering(decode_text(report))
