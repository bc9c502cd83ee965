"""DOCX (python-docx) and XLSX (openpyxl) reports through the same grid repairs as PDF tables.

DOCX: paragraphs and tables in body order; a merged cell is reported once, at its first slot (python-docx
repeats the same cell object over a merge, so a repeat of the cell to the left or above is a merged
slot). XLSX: each worksheet in order, its number on every line (the page of a workbook); cells inside
a merged range other than its first are merged slots; numbers are printed as the sheet formats them.
"""

from __future__ import annotations

import io
import re
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
            grid, origins = _docx_grid(block)
            _add_items(report, split_grid(grid, origins=origins), None)
    return report


def _docx_grid(table) -> tuple[list[list[str | None]], list[list[tuple[int, int] | None]]]:
    """The table's text per grid slot (None for a merged slot) and, for merged slots, the slot of the cell
    covering them (python-docx repeats one cell object over every slot it spans)."""
    grid: list[list[str | None]] = []
    origins: list[list[tuple[int, int] | None]] = []
    first_slot: dict = {}  # the cell element (kept referenced, so never reused) -> its first slot
    for i, row in enumerate(table.rows):
        out: list[str | None] = []
        out_origins: list[tuple[int, int] | None] = []
        for j, cell in enumerate(row.cells):
            origin = first_slot.setdefault(cell._tc, (i, j))
            out.append(cell.text if origin == (i, j) else None)
            out_origins.append(None if origin == (i, j) else origin)
        grid.append(out)
        origins.append(out_origins)
    return grid, origins


def render_xlsx(data: bytes) -> RenderedReport:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:
        raise UnreadableOffice(f"not a readable XLSX ({type(exc).__name__}: {exc})") from exc
    report = RenderedReport(source_format="xlsx", page_count=len(workbook.worksheets))
    formulas = _uncached_formulas(data, workbook)
    for sheet_no, sheet in enumerate(workbook.worksheets, start=1):
        rows, covering = _sheet_grid(sheet, formulas.get(sheet_no - 1, {}))
        kept = [i for i, row in enumerate(rows) if any(cell and cell.strip() for cell in row)]
        grid = [rows[i] for i in kept]
        run: list[int] = []
        for index, row in enumerate(grid):
            if _is_prose_row(grid, index):
                _add_items(report, split_grid([grid[k] for k in run], origins=_origins(run, kept, grid, covering)),
                           sheet_no)
                run = []
                report.add_text(row[0].strip(), sheet_no)
            else:
                run.append(index)
        _add_items(report, split_grid([grid[k] for k in run], origins=_origins(run, kept, grid, covering)), sheet_no)
    return report


# a sheet whose dimension spans more slots than this (one stray cell at XFD1048576 spans 17 billion) ...
MAX_SHEET_SLOTS = 2_000_000
SPARSE_FACTOR = 20  # ... and more than this many per cell it holds is read from its cells, not slot by slot


# printed in place of a formula the file holds no computed value for: the table parser reports the cell
# ("expected an amount … found '=SUM(C5:C9) …'"), a reader finding on that row, never a silent gap
UNCACHED_FORMULA = "{formula}[formula_without_cached_value]"  # no spaces: grid repair drops them


def _uncached_formulas(data: bytes, workbook) -> dict[int, dict[tuple[int, int], str]]:
    """Per sheet (0-based), the formulas of cells whose computed value the file does not hold (a workbook
    written by a program that does not calculate): (row, column) -> the formula as written."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:  # most workbooks hold every value: no second load
        if not any(name.startswith("xl/worksheets/") and _holds_uncached_formula(package.read(name))
                   for name in package.namelist()):
            return {}
    import openpyxl

    written = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    out: dict[int, dict[tuple[int, int], str]] = {}
    for index, (sheet, cached) in enumerate(zip(written.worksheets, workbook.worksheets, strict=False)):
        for (r, c), cell in sheet._cells.items():  # the cells held (see _sheet_grid)
            value = cell.value
            text = value if isinstance(value, str) else getattr(value, "text", None)
            if text and text.startswith("=") and cached._cells.get((r, c)) is not None \
                    and cached._cells[(r, c)].value is None:
                out.setdefault(index, {})[(r, c)] = text
    return out


_CELL_XML = re.compile(rb"<c\b[^>/]*>(.*?)</c>", re.S)
_VALUE_XML = re.compile(rb"<v>[^<]")


def _holds_uncached_formula(sheet_xml: bytes) -> bool:
    """Whether a worksheet's XML has a cell with a formula (<f>) and no value (no <v>, or an empty one)."""
    if b"<f" not in sheet_xml:
        return False
    return any(b"<f" in inner and not _VALUE_XML.search(inner) for inner in _CELL_XML.findall(sheet_xml))


def _sheet_grid(sheet, formulas: dict[tuple[int, int], str] | None = None,
                ) -> tuple[list[list[str | None]], dict[tuple[int, int], tuple[int, int]]]:
    """The sheet's text per slot (None for a merged slot) and, for merged slots, the first slot of their
    range (0-based). A sheet whose dimension is far larger than its content keeps only the rows and columns
    that hold something, in order: openpyxl would otherwise walk every empty slot up to its last cell."""
    from openpyxl.cell.cell import MergedCell

    slots = sheet.max_row * sheet.max_column
    if slots <= MAX_SHEET_SLOTS or slots <= SPARSE_FACTOR * len(sheet._cells):  # dense: read as it always was
        row_index = {r: r - 1 for r in range(1, sheet.max_row + 1)}
        col_index = {c: c - 1 for c in range(1, sheet.max_column + 1)}
        rows = [[None if isinstance(cell, MergedCell) else _cell_text(cell) for cell in row]
                for row in sheet.iter_rows()]
    else:
        held = [(r, c) for (r, c), cell in sheet._cells.items()  # the cells the sheet holds (openpyxl keeps no other
                if not isinstance(cell, MergedCell) and cell.value not in (None, "")]  # public index of them)
        held = sorted(set(held) | set(formulas or {}))
        used_rows = sorted({r for r, _ in held} | {m.min_row for m in sheet.merged_cells.ranges})
        used_cols = sorted({c for _, c in held} | {m.min_col for m in sheet.merged_cells.ranges})
        row_index = {r: i for i, r in enumerate(used_rows)}
        col_index = {c: i for i, c in enumerate(used_cols)}
        rows = [[""] * len(used_cols) for _ in used_rows]
        for r, c in held:
            rows[row_index[r]][col_index[c]] = _cell_text(sheet._cells[(r, c)])
    for (r, c), formula in (formulas or {}).items():
        if r in row_index and c in col_index:
            rows[row_index[r]][col_index[c]] = UNCACHED_FORMULA.format(formula=formula)
    covering = {}  # (row, column) of a merged slot -> the merged range's first slot, 0-based in the grid
    for merged in sheet.merged_cells.ranges:
        if merged.min_row not in row_index or merged.min_col not in col_index:
            continue
        first = (row_index[merged.min_row], col_index[merged.min_col])
        for r in _within(row_index, merged.min_row, merged.max_row):
            for c in _within(col_index, merged.min_col, merged.max_col):
                slot = (row_index[r], col_index[c])
                if slot != first:
                    covering[slot] = first
                    rows[slot[0]][slot[1]] = None
    return rows, covering


def _within(index: dict[int, int], low: int, high: int) -> list[int]:
    """The sheet rows (columns) of the grid between low and high, whichever is shorter to walk."""
    if high - low < len(index):
        return [n for n in range(low, high + 1) if n in index]
    return [n for n in index if low <= n <= high]


def _origins(run: list[int], kept: list[int], grid, covering) -> list[list[tuple[int, int] | None]]:
    """For the merged slots of a run of kept sheet rows: the run-relative slot of the range covering them."""
    position = {kept[k]: n for n, k in enumerate(run)}
    out = []
    for k in run:
        row = []
        for c in range(len(grid[k])):
            origin = covering.get((kept[k], c))
            row.append((position[origin[0]], origin[1]) if origin and origin[0] in position else None)
        out.append(row)
    return out


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
