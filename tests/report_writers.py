"""Write one text report as DOCX, XLSX and PDF, the way units publish them: prose as paragraphs, each run
of tab-separated rows as one ruled table. Used to prove every format yields the same facts."""

from __future__ import annotations

import io
from itertools import groupby


def blocks(text: str) -> list[tuple[str, list[str]]]:
    """('text', [line]) for prose lines, ('table', rows) for runs of tab-separated rows."""
    out = []
    nonblank = [line for line in text.split("\n") if line.strip()]
    for is_row, run in groupby(nonblank, key=lambda line: "\t" in line):
        lines = list(run)
        if is_row:
            out.append(("table", lines))
        else:
            out.extend(("text", [line]) for line in lines if line.strip())
    return out


def _grid(rows: list[str]) -> list[list[str]]:
    cells = [row.split("\t") for row in rows]
    width = max(len(r) for r in cells)
    return [r + [""] * (width - len(r)) for r in cells]


def to_docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    for kind, lines in blocks(text):
        if kind == "text":
            document.add_paragraph(lines[0])
            continue
        grid = _grid(lines)
        table = document.add_table(rows=len(grid), cols=len(grid[0]))
        for i, row in enumerate(grid):
            for j, value in enumerate(row):
                table.cell(i, j).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def to_xlsx(text: str) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for kind, lines in blocks(text):
        if kind == "text":
            sheet.append([lines[0]])
            continue
        for row in _grid(lines):
            sheet.append([_number_or_text(v) for v in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, float):
                    cell.number_format = "#,##0.00"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _number_or_text(value: str) -> float | str:
    """Amounts as numbers (as a spreadsheet holds them); codes, 行次 and labels as text."""
    plain = value.replace(",", "")
    if "." in plain:
        try:
            return float(plain)
        except ValueError:
            return value
    return value


def to_pdf(text: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("body", fontName="STSong-Light", fontSize=9, leading=12)
    story = []
    for kind, lines in blocks(text):
        if kind == "text":
            story.append(Paragraph(lines[0].replace("&", "&amp;").replace("<", "&lt;"), style))
            continue
        table = Table(_grid(lines), repeatRows=0)
        table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "STSong-Light", 7),
                                   ("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
        story.append(table)
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=20, rightMargin=20).build(story)
    return out.getvalue()
