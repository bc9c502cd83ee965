"""Table grids of one PDF page: where the columns and rows are, and which cell covers which slot.

pdfplumber's table finder gives each ruled table's cells from the page's ruling edges. Its raw grid is
not yet the printed table's grid:

- Spreadsheet exports paint white rectangles under cells (backgrounds and paddings). Their edges are
  invisible on the page, but the finder takes them for rules and cuts phantom columns and rows into the
  table, so that one column's amounts land in different slots row by row. When the page's *visible*
  rules (lines, stroked rectangles, thin dark fills) find a table with columns of its own there, that
  table is used; where the visible rules alone find no columns (some generators draw only row lines and
  let white cell rectangles carry the columns), the white edges are kept.
- Slots that no character falls into, in any row, are phantom columns or rows: they are merged into a
  neighbour, so the grid has one slot per printed column and row.

Characters are placed by their centre: into the cell whose box contains it, and that cell's text lives
in its first (top-left) slot. Every other slot the cell covers is a *merged slot* that points back to
it, which is how a header label spanning several columns (公务用车购置及运行费 over 小计 / 购置费 /
运行费) is known to stand above each of them, and a label spanning rows is known to belong to each.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from ingest.amounts import looks_like_amount, normalise_cell
from ingest.renderings.model import BBox
from ingest.renderings.pdf_cells import find_tables
from ingest.renderings.pdf_edges import page_edges
from ingest.renderings.pdf_words import cell_text
from ingest.renderings.pdf_words import words as words_of
from ingest.tables.rows import classification_code, is_body_row

Origin = tuple[int, int]  # (row, column) of the slot that holds a merged cell's text


@dataclass(slots=True)
class PageTable:
    bbox: BBox
    columns: list[tuple[float, float]]  # x-range of each column
    rows: list[list[str | None]]  # text of each slot; None where a merged cell covers it
    boxes: list[list[BBox | None]]  # box of the cell whose text a slot holds
    origins: list[list[Origin | None]] = field(default_factory=list)  # for merged slots: the cell's slot
    # strips of the ruled grid no character fell into (merged into a neighbour): a blank character there
    # would have kept them as columns or rows of their own
    empty_strips: list[BBox] = field(default_factory=list)


def page_tables(page) -> list[PageTable]:
    """The ruled tables of a (cropped, deduplicated) pdfplumber page, top to bottom."""
    found = [t for t in find_tables(page) if _on_page(t.bbox, page)]
    if found and _has_white_fills(page):
        found = _prefer_visible_rules(page, found)
    return sorted((t for t in (_grid(page, t.bbox, t.cells) for t in found) if t is not None),
                  key=lambda t: t.bbox[1])


def _on_page(bbox, page) -> bool:
    x0, top, x1, bottom = bbox
    return top < page.height and bottom > 0 and x0 < page.width and x1 > 0


# ---------------------------------------------------------------- visible rules

def _is_white(color) -> bool:
    if color is None:
        return False
    values = color if isinstance(color, tuple | list) else (color,)
    if not values or not all(isinstance(v, int | float) for v in values):
        return False
    if len(values) == 4:  # CMYK: white is no ink
        return all(v <= 0.02 for v in values)
    return all(v >= 0.98 for v in values)


def _white_fill(obj) -> bool:
    """A rectangle painted white and not stroked: a cell background, not a rule."""
    return obj.get("object_type") == "rect" and _painted_white(obj)


def _painted_white(obj) -> bool:
    return bool(obj.get("fill")) and not obj.get("stroke") and _is_white(obj.get("non_stroking_color"))


def _has_white_fills(page) -> bool:
    return any(_white_fill(rect) for rect in page.rects)


def _prefer_visible_rules(page, found: list) -> list:
    """Tables found from the visible rules alone, where they have columns; the others as found."""
    visible = [t for t in find_tables(visible_rules(page)) if _on_page(t.bbox, page)]
    chosen: list = []
    for table in found:
        replacing = [v for v in visible if _overlap(v.bbox, table.bbox) > 0.5 * _area(v.bbox)]
        if replacing and all(_n_columns(v) >= 2 for v in replacing):
            chosen += [v for v in replacing if v not in chosen]
        else:
            chosen.append(table)
    return chosen


def visible_rules(page):
    """The page without its white fills. Its edges are the page's but the fills' (an edge keeps its
    rectangle's fill, stroke and colour; only rectangles are white fills): the list pdfplumber would build
    again from the remaining objects, taken from the page's instead."""
    rules = page.filter(lambda obj: not _white_fill(obj))
    rules._edges = [e for e in page_edges(page) if not (e["object_type"] == "rect_edge" and _painted_white(e))]
    return rules


def _n_columns(table) -> int:
    return len({round(cell[0], 1) for cell in table.cells})


def _area(bbox) -> float:
    return max(0.0, bbox[2] - bbox[0]) * max(0.0, bbox[3] - bbox[1])


def _overlap(a, b) -> float:
    return _area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


# ---------------------------------------------------------------- the grid

def _grid(page, bbox, cells: list[BBox]) -> PageTable | None:
    xs = sorted({round(v, 1) for cell in cells for v in (cell[0], cell[2])})
    ys = sorted({round(v, 1) for cell in cells for v in (cell[1], cell[3])})
    if len(xs) < 2 or len(ys) < 2:
        return None
    x0, top, x1, bottom = bbox
    chars = [c for c in page.chars
             if x0 <= (c["x0"] + c["x1"]) / 2 <= x1 and top <= (c["top"] + c["bottom"]) / 2 <= bottom]

    def slot(values: list[float], v: float) -> int:
        return min(max(bisect_right(values, v) - 1, 0), len(values) - 2)

    # which cell covers each raw slot (later cells do not overwrite earlier ones)
    covering: dict[tuple[int, int], int] = {}
    spans = []
    for index, (cx0, ctop, cx1, cbottom) in enumerate(cells):
        c0, c1 = slot(xs, round(cx0, 1)), slot(xs, round(cx1, 1) - 0.05)
        r0, r1 = slot(ys, round(ctop, 1)), slot(ys, round(cbottom, 1) - 0.05)
        spans.append((r0, r1, c0, c1))
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                covering.setdefault((r, c), index)
    cells = list(cells)
    cell_chars: dict[int, list] = {}
    used_rows, used_columns = set(), set()
    for char in chars:
        r = slot(ys, (char["top"] + char["bottom"]) / 2)
        c = slot(xs, (char["x0"] + char["x1"]) / 2)
        index = covering.get((r, c))
        if index is None:  # text where no closed cell is drawn (a header cut by the page break): its own slot
            index = covering[(r, c)] = len(cells)
            cells.append((xs[c], ys[r], xs[c + 1], ys[r + 1]))
            spans.append((r, r, c, c))
        cell_chars.setdefault(index, []).append(char)
        used_rows.add(r)
        used_columns.add(c)
    if not cell_chars:
        return None
    column_of = _merge_empty(len(xs) - 1, used_columns)
    row_of = _merge_empty(len(ys) - 1, used_rows)
    n_columns, n_rows = max(column_of) + 1, max(row_of) + 1
    rows: list[list[str | None]] = [[""] * n_columns for _ in range(n_rows)]
    boxes: list[list[BBox | None]] = [[None] * n_columns for _ in range(n_rows)]
    origins: list[list[Origin | None]] = [[None] * n_columns for _ in range(n_rows)]
    owner: dict[tuple[int, int], int] = {}
    # cells with text first, so an empty phantom cell never takes a printed cell's slot
    for index in sorted(range(len(cells)), key=lambda i: i not in cell_chars):
        r0, r1, c0, c1 = spans[index]
        fr0, fc0 = row_of[r0], column_of[c0]
        if (fr0, fc0) in owner:
            continue
        covered = {(row_of[r], column_of[c]) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        if any(slot_ in owner for slot_ in covered):
            covered = {s for s in covered if s not in owner}
        owner.update({s: index for s in covered})
        text = cell_text(cell_chars[index]) if index in cell_chars else ""
        rows[fr0][fc0] = text
        boxes[fr0][fc0] = tuple(float(v) for v in cells[index])
        for fr, fc in covered:
            if (fr, fc) != (fr0, fc0):
                rows[fr][fc] = None
                origins[fr][fc] = (fr0, fc0)
    columns = _ranges(xs, column_of)
    strips = [(xs[c], ys[0], xs[c + 1], ys[-1]) for c in range(len(xs) - 1) if c not in used_columns]
    strips += [(xs[0], ys[r], xs[-1], ys[r + 1]) for r in range(len(ys) - 1) if r not in used_rows]
    return PageTable(bbox=tuple(float(v) for v in bbox), columns=columns, rows=rows, boxes=boxes, origins=origins,
                     empty_strips=strips)


def _merge_empty(n_slots: int, used: set[int]) -> list[int]:
    """Map raw slots to printed columns (rows): an empty slot joins the used slot before it (slots before
    the first used one join that one)."""
    first = min(used, default=0)
    mapping, current = [], 0
    for s in range(n_slots):
        if s in used and s != first:
            current += 1
        mapping.append(current)
    return mapping


def _ranges(xs: list[float], column_of: list[int]) -> list[tuple[float, float]]:
    ranges: dict[int, list[float]] = {}
    for s, column in enumerate(column_of):
        low, high = ranges.setdefault(column, [xs[s], xs[s + 1]])
        ranges[column] = [min(low, xs[s]), max(high, xs[s + 1])]
    return [tuple(ranges[c]) for c in sorted(ranges)]


def align_to_columns(table: PageTable, columns: list[tuple[float, float]]) -> PageTable | None:
    """The table re-laid on another table's columns (the page it continues), by where each cell is printed:
    a cell covers the columns whose centre lies inside its box. None when a printed cell covers no column
    or two cells claim one slot (the layouts differ: the caller keeps the table's own grid)."""
    centres = [(a + b) / 2 for a, b in columns]
    n = len(columns)
    rows = [[""] * n for _ in table.rows]
    boxes: list[list[BBox | None]] = [[None] * n for _ in table.rows]
    origins: list[list[Origin | None]] = [[None] * n for _ in table.rows]
    placed: dict[Origin, list[int]] = {}  # a cell's own slot -> the columns it covers here
    for i, (row, row_boxes) in enumerate(zip(table.rows, table.boxes, strict=True)):
        for j, (text, box) in enumerate(zip(row, row_boxes, strict=True)):
            if text is None or box is None:
                continue
            covered = [k for k, centre in enumerate(centres) if box[0] <= centre <= box[2]]
            if not covered:
                if text:
                    return None
                continue
            if any(boxes[i][k] is not None or rows[i][k] is None for k in covered):
                return None
            placed[(i, j)] = covered
            rows[i][covered[0]], boxes[i][covered[0]] = text, box
            for k in covered[1:]:
                rows[i][k], origins[i][k] = None, (i, covered[0])
    for i, row in enumerate(table.rows):  # slots of cells that span rows
        for j, text in enumerate(row):
            origin = table.origins[i][j] if text is None else None
            if origin is None or origin[0] == i or origin not in placed:
                continue
            for k in placed[origin]:
                if boxes[i][k] is None and rows[i][k] == "":
                    rows[i][k], origins[i][k] = None, (origin[0], placed[origin][0])
    return PageTable(bbox=table.bbox, columns=list(columns), rows=rows, boxes=boxes, origins=origins)


# ---------------------------------------------------------------- rows drawn without their rules

def with_open_rows(page, tables: list[PageTable]) -> list[PageTable]:
    """Each table with the rows printed right above or below its grid in its columns (see _with_open_rows)."""
    if not any(table.columns for table in tables):
        return tables
    page_words = [{"text": text, "x0": x0, "top": top, "x1": x1, "bottom": bottom}
                  for text, x0, top, x1, bottom in words_of(page.chars)]
    return [_with_open_rows(page_words, table, tables) for table in tables]


def _with_open_rows(page_words: list[dict], table: PageTable, tables: list[PageTable]) -> PageTable:
    """Rows printed right above or below the ruled grid, in its columns, whose rules were not drawn (the first
    row of a page that continues a table often has no top rule): they are the table's rows. A line joins
    when every word of it falls inside the table's columns, it prints an amount or a code, and it lies within
    two line heights of the grid (or of a row already joined)."""
    if not table.columns:
        return table
    left, right = table.columns[0][0], table.columns[-1][1]
    others = [t.bbox for t in tables if t is not table]
    lines = _loose_lines(page_words, left, right, others + [table.bbox])
    above = sorted((line for line in lines if line[1] <= table.bbox[1]), key=lambda line: -line[1])
    below = sorted((line for line in lines if line[0] >= table.bbox[3]), key=lambda line: line[0])
    top, bottom = table.bbox[1], table.bbox[3]
    head, tail = [], []
    first_body = next((i for i, row in enumerate(table.rows) if is_body_row([t or "" for t in row])), len(table.rows))
    label_columns = {j for row in table.rows[first_body:] for j, text in enumerate(row)
                     if text and not looks_like_amount(text) and not classification_code(normalise_cell(text))}
    for line_top, line_bottom, words in above:
        row = _as_row(words, table.columns, label_columns)
        if top - line_bottom > 2 * (line_bottom - line_top) or row is None:
            break
        head.insert(0, row)
        top = line_top
    for line_top, line_bottom, words in below:
        row = _as_row(words, table.columns, label_columns)
        if line_top - bottom > 2 * (line_bottom - line_top) or row is None:
            break
        tail.append(row)
        bottom = line_bottom
    if not head and not tail:
        return table
    n = len(table.columns)

    def shifted(origins: list[Origin | None]) -> list[Origin | None]:
        return [None if o is None else (o[0] + len(head), o[1]) for o in origins]

    return PageTable(
        bbox=(table.bbox[0], top, table.bbox[2], bottom), columns=table.columns,
        rows=[texts for texts, _ in head] + table.rows + [texts for texts, _ in tail],
        boxes=[boxes for _, boxes in head] + table.boxes + [boxes for _, boxes in tail],
        origins=[[None] * n for _ in head] + [shifted(o) for o in table.origins] + [[None] * n for _ in tail],
    )


def _loose_lines(page_words: list[dict], left: float, right: float,
                 regions: list[BBox]) -> list[tuple[float, float, list[dict]]]:
    """Lines of the page's words outside every table, overlapping the x-range left..right: (top, bottom,
    words)."""
    loose = [w for w in page_words
             if w["x1"] > left and w["x0"] < right and not any(_inside(w, region) for region in regions)]
    lines: list[list[dict]] = []
    for word in sorted(loose, key=lambda w: (w["top"], w["x0"])):
        line = lines[-1] if lines else None
        if line and min(w["bottom"] for w in line) > word["top"] + 0.5 * (word["bottom"] - word["top"]):
            line.append(word)
        else:
            lines.append([word])
    return [(min(w["top"] for w in line), max(w["bottom"] for w in line), line) for line in lines]


def _inside(word: dict, region: BBox) -> bool:
    cx, cy = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
    return region[0] <= cx <= region[2] and region[1] <= cy <= region[3]


_NOT_A_ROW = re.compile(r"^(?:注|说明|备注|本表|数据来源|资料来源|填报|制表|审核|单位负责人)")


def _as_row(words: list[dict], columns: list[tuple[float, float]],
            label_columns: set[int]) -> tuple[list[str], list[BBox | None]] | None:
    """The line as a row of the table's columns, or None when it is not one: a note (注：…, 说明, 填报人), a
    word outside every column, a single word, nothing that reads as an amount or a code, or an amount under
    a column whose rows print labels (a year in a note's sentence under 科目名称)."""
    if words and _NOT_A_ROW.match(normalise_cell(words[0]["text"])):
        return None
    texts: list[str] = [""] * len(columns)
    boxes: list[BBox | None] = [None] * len(columns)
    for word in sorted(words, key=lambda w: w["x0"]):
        centre = (word["x0"] + word["x1"]) / 2
        column = next((j for j, (a, b) in enumerate(columns) if a <= centre <= b), None)
        if column is None:
            return None
        texts[column] += word["text"]
        box = (word["x0"], word["top"], word["x1"], word["bottom"])
        old = boxes[column]
        boxes[column] = box if old is None else (min(old[0], box[0]), min(old[1], box[1]), max(old[2], box[2]),
                                                 max(old[3], box[3]))
    filled = [t for t in texts if t]
    if len(filled) < 2 or not any(looks_like_amount(t) or classification_code(normalise_cell(t)) for t in filled):
        return None
    if any(j in label_columns and looks_like_amount(t) and not classification_code(normalise_cell(t))
           for j, t in enumerate(texts) if t):
        return None
    return texts, boxes
