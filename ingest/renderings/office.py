"""DOCX (python-docx) and XLSX (openpyxl) reports through the same grid repairs as PDF tables.

DOCX: paragraphs and tables in body order; a merged cell is reported once, at its first slot (python-docx
repeats the same cell object over a merge, so a repeat of the cell to the left or above is a merged
slot). XLSX: each worksheet in order, its number on every line (the page of a workbook); cells inside
a merged range other than its first are merged slots; numbers are printed as the sheet formats them.
"""

from __future__ import annotations

import io
import zipfile

from ingest.renderings.model import RenderedReport
from ingest.renderings.table_repair import TableSegment, TextLine, split_grid


class UnreadableOffice(Exception):
    pass


def office_kind(data: bytes) -> str | None:
    """'docx' or 'xlsx' for an Office Open XML package, None for any other file."""
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except zipfile.BadZipFile:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def render_docx(data: bytes) -> RenderedReport:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise UnreadableOffice(f"not a readable DOCX ({type(exc).__name__}: {exc})") from exc
    report = RenderedReport(source_format="docx")
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            if block.text.strip():
                report.add_text(block.text.strip(), None)
        elif isinstance(block, Table):
            _add_items(report, split_grid(_docx_grid(block)), None)
    return report


def _docx_grid(table) -> list[list[str | None]]:
    grid: list[list[str | None]] = []
    above: list = []
    for row in table.rows:
        cells = row.cells
        out: list[str | None] = []
        for j, cell in enumerate(cells):
            merged_left = j > 0 and cells[j - 1]._tc is cell._tc
            merged_up = j < len(above) and above[j]._tc is cell._tc
            out.append(None if merged_left or merged_up else cell.text)
        grid.append(out)
        above = cells
    return grid


def render_xlsx(data: bytes) -> RenderedReport:
    import openpyxl
    from openpyxl.cell.cell import MergedCell

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:
        raise UnreadableOffice(f"not a readable XLSX ({type(exc).__name__}: {exc})") from exc
    report = RenderedReport(source_format="xlsx", page_count=len(workbook.worksheets))
    for sheet_no, sheet in enumerate(workbook.worksheets, start=1):
        grid = [[None if isinstance(cell, MergedCell) else _cell_text(cell) for cell in row]
                for row in sheet.iter_rows()]
        grid = [row for row in grid if any(cell and cell.strip() for cell in row)]
        run: list[list[str | None]] = []
        for index, row in enumerate(grid):
            if _is_prose_row(grid, index):
                _add_items(report, split_grid(run), sheet_no)
                run = []
                report.add_text(row[0].strip(), sheet_no)
            else:
                run.append(row)
        _add_items(report, split_grid(run), sheet_no)
    return report


def _is_prose_row(grid: list[list[str | None]], index: int) -> bool:
    """A sheet row holding one text in its first cell is a line of prose (title, 公开NN表, caption, 注),
    unless table rows surround it (a table's label-only row such as 二、外交支出)."""
    def filled(i: int) -> int:
        return sum(1 for cell in grid[i] if cell and cell.strip()) if 0 <= i < len(grid) else 0

    row = grid[index]
    if filled(index) != 1 or not (row[0] and row[0].strip()):
        return False
    return not (filled(index - 1) >= 2 and filled(index + 1) >= 2)


def _cell_text(cell) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        decimals = cell.number_format.split(".")[1].count("0") if "." in cell.number_format else None
        if decimals:
            return f"{value:,.{decimals}f}" if "," in cell.number_format else f"{value:.{decimals}f}"
        return f"{value:f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return str(value)


def _add_items(report: RenderedReport, items, page: int | None) -> None:
    for item in items:
        if isinstance(item, TextLine):
            report.add_text(item.text, page)
        elif isinstance(item, TableSegment):
            for row in item.rows:
                if any(row):
                    report.add_row(row, page)
