"""Repairs a table grid needs before it reads like a text extraction, whatever format it came from.

A grid is a list of rows of cells; a cell is its text, or None where the format reports a merged cell
(pdfplumber returns None for the slots a merged cell covers). The repairs, each generic to how
budget tables are typeset, not to any one report:

- whitespace inside a cell goes (wrapped names such as 一、一般公共服务\\n支出, letter-spaced
  headers such as 金   额); the parsers NFKC-normalise, the raw file keeps the original;
- a title or a 部门/单位 caption typeset inside the grid (a known title, a caption, or any text merged
  across the whole frame) becomes a prose line again, and splits the grid where a second table starts
  inside the first one's frame;
- columns that are merged-away in every row are dropped;
- codes split over 类 / 款 / 项 columns are joined into one code column ('201' '06' '01' → 2010601);
- a row's leading merged slots take the text of the row above (vertically merged labels); other
  merged slots are blank.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ingest.amounts import looks_like_amount
from ingest.renderings.model import BBox
from ingest.tables.catalog import family_for_title
from ingest.tables.rows import is_body_row

Grid = list[list[str | None]]
Boxes = list[list[BBox | None]]
Origins = list[list[tuple[int, int] | None]]  # for a merged slot: (row, column) of the cell that covers it

_CAPTION = re.compile(r"^(?:部门|编制部门|编制单位|单位名称|部门名称|预算主管部门)[:：]|单位[:：]")
_THREE_DIGITS = re.compile(r"^\d{3}$")
_CODE_PART = re.compile(r"^\d{1,2}$")
_CODE_LEVELS = ("类", "款", "项")


@dataclass(slots=True)
class TextLine:
    text: str


@dataclass(slots=True)
class TableSegment:
    rows: list[list[str]]
    boxes: list[list[BBox | None]]
    continues_previous: bool  # no title or caption above it inside the grid
    code_columns: list[tuple[int, int]]  # (first column, width) of each 类/款(/项) code group joined


def clean_cell(text: str | None) -> str | None:
    return None if text is None else re.sub(r"\s+", "", text)


def split_grid(grid: Grid, boxes: Boxes | None = None, inherited_codes: list[tuple[int, int]] | None = None,
               origins: Origins | None = None, exact_columns: bool = False,
               continued_header: list[list[str]] | None = None) -> Iterator[TextLine | TableSegment]:
    """Titles and captions typeset inside the grid as prose lines; the rest as repaired segments.

    ``inherited_codes``: the code groups of the table this grid may continue (a page break), used when
    the grid's first segment prints no 类 / 款 / 项 header of its own. ``origins``: where the format knows
    which cell covers a merged slot (PDF geometry), header labels are repeated over every slot they span.
    ``exact_columns``: the grid's columns are the printed ones (no merge artifacts to drop).
    ``continued_header``: the header of the table this grid continues; rows at the top of the grid are
    header rows (labels spread over their spans) only where they repeat it.
    """
    grid = [[clean_cell(cell) for cell in row] for row in grid]
    boxes = boxes or [[None] * len(row) for row in grid]
    origins = origins or [[None] * len(row) for row in grid]
    pending: list[int] = []
    continues = True

    def segment() -> TableSegment:
        first, last = pending[0], pending[-1]
        local = [[_within(origin, first, last) for origin in origins[i]] for i in pending]
        rows, row_boxes = [grid[i] for i in pending], [boxes[i] for i in pending]
        codes = inherited_codes if continues else None
        part = _segment(rows, row_boxes, continues, codes, local, exact_columns)
        n_header = header_row_count(part.rows)
        if continues and continued_header is not None and part.rows[:n_header] != continued_header[:n_header]:
            part = _segment(rows, row_boxes, continues, codes, local, exact_columns, expand_header=False)
        return part

    for index, row in enumerate(grid):
        prose = _prose_line(row, origins[index], index)
        if prose is None:
            pending.append(index)
            continue
        if pending:
            yield segment()
            pending = []
        continues = False
        yield TextLine(prose)
    if pending:
        yield segment()


def _within(origin: tuple[int, int] | None, first: int, last: int) -> tuple[int, int] | None:
    """A merged slot's origin relative to a segment of rows first..last (None when it lies outside)."""
    if origin is None or not first <= origin[0] <= last:
        return None
    return origin[0] - first, origin[1]


def _prose_line(row: list[str | None], origins: list[tuple[int, int] | None], index: int) -> str | None:
    filled = [cell for cell in row if cell]
    if not filled:
        return None
    joined = " ".join(filled)
    # one cell merged across the whole frame: a title or a caption such as （2023年度）; where the format says
    # which cell covers a slot, slots covered from the rows above (labels spanning rows) do not count
    across = all(cell is None and (origin is None or origin == (index, 0))
                 for cell, origin in zip(row[1:], origins[1:], strict=False))
    if len(row) > 1 and row[0] and across and not looks_like_amount(row[0]):
        return row[0]
    if len(filled) == 1 and not looks_like_amount(filled[0]) and family_for_title(filled[0]) is not None:
        return filled[0]
    if _CAPTION.search(filled[0]) or any(_CAPTION.match(cell) and "单位" in cell for cell in filled[1:]):
        return joined
    return None


def _segment(rows: Grid, boxes: Boxes, continues: bool, inherited_codes: list[tuple[int, int]] | None,
             origins: Origins, exact_columns: bool = False, expand_header: bool = True) -> TableSegment:
    width = max(len(r) for r in rows)
    # a column no row has a cell of its own in is a merge artifact; a column of empty cells is kept
    keep = [j for j in range(width) if exact_columns or any(j < len(r) and r[j] is not None for r in rows)]
    filled = _fill_merged(rows, origins, expand_header)
    rows = [[r[j] if j < len(r) else "" for j in keep] for r in filled]
    boxes = [[b[j] if j < len(b) else None for j in keep] for b in boxes]
    rows, boxes, code_columns = _join_split_codes(rows, boxes, inherited_codes or [], exact_columns)
    return TableSegment(rows, boxes, continues, code_columns)


def _fill_merged(rows: Grid, origins: Origins, expand_header: bool = True) -> list[list[str]]:
    """Text for every merged slot. In the header (the rows above the first body row) a label stands over
    every slot its cell spans down, and across where it heads a group of columns (``_group_headers``),
    where the format says which cell covers a slot. In the
    body, and where the format does not say, a row's leading merged slots take the label above
    (vertically merged labels such as 一般公共预算资金 over its 小计 and items); other merged slots are blank."""
    n_header = header_row_count([[cell or "" for cell in row] for row in rows]) if expand_header else 0
    groups = _group_headers(rows, origins, n_header)
    filled: list[list[str]] = []
    for i, row in enumerate(rows):
        out: list[str] = []
        leading = True
        for j, cell in enumerate(row):
            origin = origins[i][j] if i < len(origins) and j < len(origins[i]) else None
            if cell is None and origin is not None and i < n_header and (origin[1] == j or origin in groups):
                out.append(rows[origin[0]][origin[1]] or "")
                continue
            if cell is None and leading and i > 0 and (origin is None or origin[0] < i):
                above = filled[i - 1][j] if j < len(filled[i - 1]) else ""
                # a vertically merged label; an amount spanning rows is printed once, in its first row
                out.append("" if looks_like_amount(above) else above)
                continue
            leading = leading and cell is None
            out.append(cell or "")
        filled.append(out)
    return filled


def _group_headers(rows: Grid, origins: Origins, n_header: int) -> set[tuple[int, int]]:
    """Header cells spanning columns that lower header rows tell apart (基本支出 over 人员经费 | 公用经费,
    公务接待费 over 预算数 | 决算数): the label stands over each of them. A label merged across columns
    nothing below distinguishes (项目名称 over a form's two label slots) stays in its first slot."""
    columns: dict[tuple[int, int], set[int]] = {}
    for i in range(n_header):
        for j, origin in enumerate(origins[i] if i < len(origins) else []):
            if origin is not None and origin[1] != j:
                columns.setdefault(origin, {origin[1]}).add(j)
    def cell_at(i: int, j: int) -> tuple[int, int]:
        origin = origins[i][j] if j < len(origins[i]) else None
        return origin or (i, j)

    groups = set()
    for (r, c), spanned in columns.items():
        # some lower header row has two cells under the span: its columns are told apart
        if any(len({cell_at(i, j) for j in spanned}) >= 2 for i in range(r + 1, n_header)):
            groups.add((r, c))
    return groups


def _join_split_codes(rows: Grid, boxes: Boxes,
                      inherited: list[tuple[int, int]],
                      same_columns: bool = False) -> tuple[Grid, Boxes, list[tuple[int, int]]]:
    """Join 类 / 款 (/ 项) columns, found from the header row that names them, into one code column."""
    # a continuation laid on its table's columns keeps its code groups; otherwise only where codes show them
    header_index, groups = -1, [g for g in inherited if same_columns or _looks_split(rows, g)]
    for h, header in enumerate(rows):
        starts = [j for j in range(len(header) - 1) if header[j] == "类" and header[j + 1] == "款"]
        if starts:
            header_index = h
            groups = [(j, 3 if j + 2 < len(header) and header[j + 2] == "项" else 2) for j in starts]
            break
    for start, width in reversed(groups):
        for i, row in enumerate(rows):
            if start + width > len(row):
                continue
            parts = [row[start + k] or "" for k in range(width)]
            if i == header_index:
                row[start] = ""  # the 类 label; the same row may already carry the 合计 line
            elif _THREE_DIGITS.match(parts[0]) and all(_CODE_PART.match(p) or not p for p in parts[1:]):
                # a 款/项 printed as a number loses its leading zero (201 | 6 | 1): pad it back
                row[start] = parts[0] + "".join(p.zfill(2) for p in parts[1:] if p)
            else:
                row[start] = "".join(parts)  # a label spanning the code columns (合计), or text: nothing dropped
            del row[start + 1:start + width]
            if boxes[i][start] is None:
                boxes[i][start] = next((b for b in boxes[i][start:start + width] if b), None)
            del boxes[i][start + 1:start + width]
    return rows, boxes, groups


def _looks_split(rows: Grid, group: tuple[int, int]) -> bool:
    """A continuation page still prints its codes over separate 类 / 款 / 项 cells."""
    start, _ = group
    return any(start + 1 < len(row) and _THREE_DIGITS.match(row[start] or "")
               and _CODE_PART.match(row[start + 1] or "") for row in rows)


def header_row_count(rows: list[list[str]]) -> int:
    """Rows before the first one that carries an amount or a classification code."""
    return next((i for i, row in enumerate(rows) if is_body_row(row)), len(rows))
