"""PDF reports through pdfplumber: ruled tables by its table finder (lines strategy), prose as lines.

Per page, after ``dedupe_chars`` (some generators print every glyph twice), tables are found from
their ruling lines and read cell by cell with their bounding boxes; the words outside the tables
are grouped into lines by vertical overlap (digits set in another font sit a few points off the
baseline of the Chinese around them, so a fixed y-tolerance splits them off). Tables and prose are
then interleaved top to bottom, as a reader sees them.

Tables continued across pages arrive as separate grids: a continuation that repeats the header rows
of the table it continues has them dropped, so the parser sees one table.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pdfplumber

from ingest.renderings.model import BBox, RenderedReport
from ingest.renderings.table_repair import TableSegment, TextLine, header_row_count, split_grid
from ingest.tables.catalog import family_for_title


class UnreadablePdf(Exception):
    pass


@dataclass(slots=True)
class _Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


def render_pdf(data: bytes) -> RenderedReport:
    report = RenderedReport(source_format="pdf")
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises several unrelated types for damaged files
        raise UnreadablePdf(f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    previous_header: list[list[str]] | None = None
    codes: list[tuple[int, int]] = []
    with pdf:
        report.page_count = len(pdf.pages)
        for page_no, page in enumerate(pdf.pages, start=1):
            try:
                # content set outside the page's visible area (some generators overflow a table there and
                # print it again on the next page) is not part of the report
                items = _page_items(page.within_bbox(page.bbox).dedupe_chars())
            except Exception as exc:
                raise UnreadablePdf(f"page {page_no} cannot be read ({type(exc).__name__}: {exc})") from exc
            for _, item in sorted(items, key=lambda pair: pair[0]):
                if isinstance(item, TextLine):
                    report.add_text(item.text, page_no)
                    if family_for_title(item.text) is not None:
                        codes, previous_header = [], None  # a new table starts: nothing to continue
                    continue
                grid, boxes = item
                for part in split_grid(grid, boxes, codes):
                    if isinstance(part, TextLine):
                        report.add_text(part.text, page_no)
                        continue
                    previous_header = _add_segment(report, part, page_no, previous_header)
                    codes = part.code_columns
    return report


def _add_segment(report: RenderedReport, segment: TableSegment, page_no: int,
                 previous_header: list[list[str]] | None) -> list[list[str]] | None:
    rows, boxes = segment.rows, segment.boxes
    n_header = header_row_count(rows)
    header = rows[:n_header]
    if segment.continues_previous and previous_header and header == previous_header[:n_header] and header:
        rows, boxes = rows[n_header:], boxes[n_header:]  # a continuation repeating its table's header
        header = previous_header
    elif not segment.continues_previous or not previous_header:
        header = header or previous_header
    else:
        header = previous_header
    for row, row_boxes in zip(rows, boxes, strict=True):
        report.add_row(row, page_no, row_boxes)
    return header


def _page_items(page) -> list[tuple[float, TextLine | tuple[list, list]]]:
    """The page's tables (grid and cell boxes) and prose lines, each with its top coordinate."""
    items: list[tuple[float, TextLine | tuple[list, list]]] = []
    tables = [t for t in page.find_tables() if _on_page(t.bbox, page)]
    for table in tables:
        boxes = [[_box(cell) for cell in row.cells] for row in table.rows]
        items.append((table.bbox[1], (table.extract(), boxes)))
    regions = [t.bbox for t in tables]

    def outside_tables(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in regions)

    words = page.filter(outside_tables).extract_words(use_text_flow=False, keep_blank_chars=False)
    for top, text in _lines([_Word(w["text"], w["x0"], w["x1"], w["top"], w["bottom"]) for w in words]):
        items.append((top, TextLine(text)))
    return items


def _on_page(bbox, page) -> bool:
    x0, top, x1, bottom = bbox
    return top < page.height and bottom > 0 and x0 < page.width and x1 > 0


def _box(cell) -> BBox | None:
    return None if cell is None else tuple(float(v) for v in cell)


def _lines(words: list[_Word]) -> list[tuple[float, str]]:
    """Group words into lines: a word joins a line it overlaps vertically by half its height."""
    lines: list[list[_Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        for line in reversed(lines[-3:]):
            top, bottom = min(w.top for w in line), max(w.bottom for w in line)
            overlap = min(bottom, word.bottom) - max(top, word.top)
            if overlap >= 0.5 * min(word.bottom - word.top, bottom - top):
                line.append(word)
                break
        else:
            lines.append([word])
    out = []
    for line in lines:
        line.sort(key=lambda w: w.x0)
        text = line[0].text
        for before, word in zip(line, line[1:], strict=False):
            gap = word.x0 - before.x1
            height = word.bottom - word.top
            text += (" " if gap > 0.6 * height else "") + word.text
        out.append((min(w.top for w in line), text))
    return out
