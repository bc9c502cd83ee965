"""PDF reports: ruled tables as printed grids, prose as lines, page by page.

The page objects (characters with their boxes, ruling lines and rectangles) are read by pdfium
(``pdf_pdfium``: ~2× the pages per CPU second of pdfplumber, see docs/BENCHMARKS.md) in the shape pdfplumber
gives them, and pdfplumber's table finder and word grouping work on them unchanged. pdfplumber reads the
document instead where pdfium cannot open it or box its characters as pdfminer does. On a page where pdfium
may have dropped blank characters that decide a table's grid (``_blanks_undecided``), playa's reading of
the page's glyphs adds the blanks that do (``pdf_blanks``), and pdfplumber reads the page where that cannot
be said for certain; ``RenderedReport.reader``, ``blank_pages`` and ``reference_pages`` say so.

Per page, after ``dedupe_chars`` (some generators print every glyph twice) and without the text that a
clipping path hides (``pdf_clipping``), tables are rebuilt from their ruling lines (``pdf_tables``): one slot
per printed column and row, each cell's box, and which cell covers a merged slot. The words outside the
tables are grouped into lines by vertical overlap (digits set in another font sit a few points off the
baseline of the Chinese around them, so a fixed y-tolerance splits them off; a title set in a much larger
font than the caption beside it is its own line). Tables and prose are then interleaved top to bottom, as a
reader sees them.

A table continued on the next page (nothing but page furniture before it) is laid on the columns of the
table the previous page ended with; rows printed above or below a grid without rules join it; a
continuation that repeats the header rows of its table has them dropped, so the parser sees one table.

Fallback: a page where pdfplumber finds no table although its text looks tabular (a standard table
title with its 单位 caption) is read again with camelot's lattice flavour and its render-free
``engine="vector"`` (camelot-py 2.x, MIT). The page numbers read that way are kept on the rendering.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pdfplumber
import pypdfium2 as pdfium
from pdfplumber.page import FilteredPage

from ingest.amounts import looks_like_amount, normalise_cell
from ingest.renderings.model import RenderedReport
from ingest.renderings.pdf_blanks import PlayaPages, blanks_in_strips
from ingest.renderings.pdf_clipping import clip_test
from ingest.renderings.pdf_dedupe import deduped, within_box, within_page
from ingest.renderings.pdf_pdfium import PdfiumDocument, Unsupported, clipped_text_regions
from ingest.renderings.pdf_tables import PageTable, align_to_columns, page_tables, with_open_rows
from ingest.renderings.pdf_words import words
from ingest.renderings.table_repair import TableSegment, TextLine, header_row_count, split_grid
from ingest.tables.catalog import family_for_title
from ingest.tables.rows import classification_code


class UnreadablePdf(Exception):
    pass


@dataclass(slots=True)
class _Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


READERS = ("pdfium", "pdfplumber")


def render_pdf(data: bytes, reader: str = "pdfium") -> RenderedReport:
    """The report's rendering, its page objects read by pdfium (``pdf_pdfium``), or by pdfplumber where
    pdfium cannot read the file or box its characters as pdfminer does (``RenderedReport.reader`` says
    which). ``reader="pdfplumber"`` reads with pdfplumber only (the reference the fast path is tested on)."""
    if reader not in READERS:
        raise ValueError(f"unknown PDF reader {reader!r}")
    if reader == "pdfium":
        try:
            document = PdfiumDocument(data)
        except Exception:  # pdfium refuses the file: pdfplumber decides whether it is readable
            document = None
        if document is not None:
            try:
                with document:
                    pages, clipped = document.pages, document.clipped
            except (Unsupported, pdfium.PdfiumError):  # pdfplumber reads it all
                pages = None
            if pages is not None:
                return _render(data, pages, clipped, "pdfium")
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises several unrelated types for damaged files
        raise UnreadablePdf(f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    with pdf:
        return _render(data, pdf.pages, _clipped_text(data), "pdfplumber")


def _render(data: bytes, pages: list, clipped: dict, reader: str) -> RenderedReport:
    report = RenderedReport(source_format="pdf", reader=reader)
    reference = _ReferencePages(data) if reader == "pdfium" else None
    try:
        return _render_pages(report, data, pages, clipped, reference)
    finally:
        if reference is not None:
            reference.close()


class _ReferencePages:
    """For the pages the pdfium reading cannot decide: playa's glyphs (``pdf_blanks``), and pdfplumber's reading
    of the page where those do not decide it either (each document opened once, when the first such page
    comes)."""

    def __init__(self, data: bytes):
        self._data = data
        self._pdf = None
        self._playa = PlayaPages(data)

    def glyphs(self, page_no: int):
        return self._playa.glyphs(page_no)

    def page(self, page_no: int):
        if self._pdf is None:
            self._pdf = pdfplumber.open(io.BytesIO(self._data))
        return self._pdf.pages[page_no - 1]

    def close(self) -> None:
        self._playa.close()
        if self._pdf is not None:
            self._pdf.close()


def _with_chars(page, chars: list[dict]):
    """The page with ``chars`` added to its characters."""
    result = FilteredPage(page, lambda _: True)
    result._objects = dict(page.objects)
    result._objects["char"] = [*page.objects["char"], *chars]
    return result


def _visible(page, clipped: dict, page_no: int):
    """The page without what it does not show: content outside its visible area or outside its text box's
    clipping path (some generators overflow a table or a text box there and print it again on the next
    page), and without duplicate characters."""
    visible = deduped(within_page(page))
    if page_no in clipped:
        hidden = clip_test(clipped[page_no])
        visible = visible.filter(lambda obj: obj.get("object_type") != "char" or not hidden(obj))
    return visible


def _blanks_undecided(page, tables: list[PageTable]) -> bool:
    """pdfium may have left blank characters out (``PdfiumPage.blank_gaps``) where a table has a strip of
    slots no character fell into: a slot holding only blanks counts as a printed column or row for the
    grid, so that page needs every blank pdfminer reads."""
    gaps = getattr(page, "blank_gaps", None)
    return bool(gaps) and any(_touch(gap, strip) for table in tables for strip in table.empty_strips
                              for gap in gaps)


def _touch(a, b) -> bool:
    return a[0] <= b[2] and a[2] >= b[0] and a[1] <= b[3] and a[3] >= b[1]


def _render_pages(report: RenderedReport, data: bytes, pages: list, clipped: dict,
                  reference: _ReferencePages | None) -> RenderedReport:
    previous_header: list[list[str]] | None = None
    previous_table: PageTable | None = None  # the last table read, whose columns a continuation takes
    codes: list[tuple[int, int]] = []
    continuing = False  # the last item of the previous page was a table row
    table_title = ""  # the title of the table being read (a title printed again over its continuation)
    report.page_count = len(pages)
    running = _running_lines(pages)
    for page_no, page in enumerate(pages, start=1):
        try:
            visible = _visible(page, clipped, page_no)
            tables = page_tables(visible)
            if reference is not None and _blanks_undecided(page, tables):
                blanks = blanks_in_strips(reference.glyphs(page_no), visible.chars,
                                          [strip for table in tables for strip in table.empty_strips],
                                          page_no, visible.height, page.initial_doctop)
                if blanks:  # what ``_visible`` leaves out of pdfplumber's reading: off the page, clipped away
                    hidden = clip_test(clipped.get(page_no, []))
                    blanks = [c for c in within_box(blanks, visible.bbox) if not hidden(c)]
                if blanks is None:  # playa cannot say for certain: pdfplumber reads the page
                    visible = _visible(reference.page(page_no), clipped, page_no)
                    tables = page_tables(visible)
                    report.reference_pages.append(page_no)
                elif blanks:
                    visible = _with_chars(visible, blanks)
                    tables = page_tables(visible)
                    report.blank_pages.append(page_no)
            prose = None  # the page's lines, when it has no table (read once for both uses)
            if not tables:
                prose = _lines(_words(visible))
                if _looks_tabular(prose, continuing):
                    tables = _camelot_tables(data, page_no, visible.height)
                    if tables:
                        report.fallback_pages.append(page_no)
                        prose = None
            if tables and previous_table is not None and previous_table.columns:
                tables = _continuation_laid_on(visible, tables, previous_table,
                                               lambda text, title=table_title: _furniture(text, running, title))
            tables = with_open_rows(visible, tables)
            items = _page_items(visible, tables, prose)
        except Exception as exc:
            raise UnreadablePdf(f"page {page_no} cannot be read ({type(exc).__name__}: {exc})") from exc
        ordered = [item for _, item in sorted(items, key=lambda pair: pair[0])]
        continuing = _ends_in_table(ordered)
        for item in ordered:
            if isinstance(item, TextLine):
                report.add_text(item.text, page_no)
                if _furniture(item.text, running, table_title):
                    continue  # a page number, a running header, the table's title printed again
                if family_for_title(item.text) is not None:
                    codes, previous_header, previous_table = [], None, None  # a new table starts
                    table_title = normalise_cell(item.text)
                else:
                    previous_table = None  # prose between: what follows is not the same table
                continue
            # the same table goes on (a page break, no title or prose between, the same columns)
            continues = (previous_table is not None and bool(previous_table.columns)
                         and item.columns == previous_table.columns)
            previous_table = item
            for part in split_grid(item.rows, item.boxes, codes if continues else [], item.origins,
                                   exact_columns=bool(item.columns),
                                   continued_header=previous_header if continues else None):
                if isinstance(part, TextLine):
                    report.add_text(part.text, page_no)
                    continue
                previous_header = _add_segment(report, part, page_no, previous_header)
                codes = part.code_columns
    return report


def _clipped_text(data: bytes) -> dict:
    """Clipped text objects per page; none when pdfium cannot read the file (pdfplumber could)."""
    try:
        return clipped_text_regions(data)
    except Exception:  # the reader proper decides whether the file is readable
        return {}


def _continuation_laid_on(page, tables: list[PageTable], previous: PageTable,
                          furniture: Callable[[str], bool]) -> list[PageTable]:
    """The page's first table laid on the columns of the table the previous page ended with, when nothing but
    page furniture or rows drawn without rules comes before it: a table continued across the page break,
    whose cells go under the columns they are printed under (or, if they fit none, a table of its own)."""
    first = tables[0]
    before = [item for top, item in _page_items(page, tables) if isinstance(item, TextLine) and top < first.bbox[1]]
    if any(not (furniture(line.text) or _row_like(line.text) and not family_for_title(line.text))
           for line in before):
        return tables
    if first.columns == previous.columns:
        return tables
    aligned = align_to_columns(first, previous.columns)
    return tables if aligned is None else [aligned, *tables[1:]]


def _row_like(text: str) -> bool:
    """A line that may be a table row drawn without its rules: words apart, one an amount or a code."""
    tokens = text.split()
    return len(tokens) >= 2 and any(looks_like_amount(t) or classification_code(t) for t in tokens)


_FURNITURE = re.compile(r"^(?:[-—－\s]*\d{1,4}[-—－\s]*|第\s*\d+\s*页.*|\d+\s*/\s*\d+|[(（]?续表?[)）]?|单位[:：].*)$")


def _furniture(text: str, running: set[str], table_title: str) -> bool:
    """A page number, a 续表 mark, a 单位 caption, a running header or footer (``_running_lines``), or the
    title of the table being read printed again over its continuation: not prose that ends a table."""
    flat = normalise_cell(text)
    return (bool(_FURNITURE.match(text.strip())) or _running_key(flat) in running
            or bool(table_title) and flat == table_title)


def _running_key(flat: str) -> str:
    return re.sub(r"\d+", "#", flat)


RUNNING_BAND = 0.1  # running headers and footers sit in the top and bottom tenth of the page


def _running_lines(pages) -> set[str]:
    """Lines printed in the top or bottom band of at least three pages and a third of them (page numbers
    counted alike): running headers and footers such as 示例单位2025年部门预算公开 or 示例单位 第3页."""
    seen: Counter[str] = Counter()
    for page in pages:
        # words are grouped from the characters near the bands only (a twentieth of the page beyond them):
        # lines are clustered by a 3-point tolerance, so no line inside a band reaches that far
        upper, lower = (RUNNING_BAND + 0.05) * page.height, (1 - RUNNING_BAND - 0.05) * page.height
        near = [c for c in page.chars if c["top"] < upper or c["bottom"] > lower]
        band = [w for w in _words_of(near) if w.bottom < RUNNING_BAND * page.height
                or w.top > (1 - RUNNING_BAND) * page.height]
        seen.update({_running_key(normalise_cell(text)) for _, text in _lines(band)})
    needed = max(3, len(pages) / 3)
    return {key for key, n in seen.items() if n >= needed and key.strip("#")}


def _ends_in_table(items: list) -> bool:
    """The page ends inside a table, or with a table's title or 单位 caption: the next page may continue it."""
    tail = items[-4:]
    if tail and not isinstance(tail[-1], TextLine):
        return True
    return any(isinstance(item, TextLine) and (family_for_title(item.text) or "单位" in item.text) for item in tail)


def _add_segment(report: RenderedReport, segment: TableSegment, page_no: int,
                 previous_header: list[list[str]] | None) -> list[list[str]] | None:
    rows, boxes = segment.rows, segment.boxes
    n_header = header_row_count(rows)
    header = rows[:n_header]
    continued = segment.continues_previous and previous_header is not None
    if continued and header and header == previous_header[:n_header]:
        rows, boxes = rows[n_header:], boxes[n_header:]  # a continuation repeating its table's header
    for row, row_boxes in zip(rows, boxes, strict=True):
        report.add_row(row, page_no, row_boxes)
    return previous_header if continued else (header or previous_header)


def _looks_tabular(page_lines: list[tuple[float, str]], continuing: bool) -> bool:
    """A table should be on this page (its ``_lines``): a standard table's title with its 单位 caption under
    it, or, when the previous page ended inside a table or with a table's title, amounts or a header at the
    top of this one."""
    lines = [text for _, text in page_lines]
    top = lines[:5]
    if continuing and any(sum(map(looks_like_amount, text.split())) >= 2 or "栏次" in text or "科目" in text
                          for text in top):
        return True
    return any(family_for_title(text) and any("单位" in below for below in lines[i + 1:i + 4])
               for i, text in enumerate(lines))


def _camelot_tables(data: bytes, page_no: int, page_height: float):
    """The page's tables read by camelot (lattice, vector engine); [] when camelot is missing or finds none."""
    try:
        import camelot
    except ImportError:
        return []
    quiet = logging.getLogger("playa")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # camelot's PDF backend logs every missing page resource
    try:
        tables = camelot.read_pdf(io.BytesIO(data), pages=str(page_no), flavor="lattice", engine="vector",
                                  suppress_stdout=True)
    except Exception:  # camelot failing on a page must not lose the page's prose
        return []
    finally:
        quiet.setLevel(level)
    found = []
    for table in tables:
        grid = table.df.astype(str).to_numpy().tolist()
        boxes = [[(c.x1, page_height - c.y2, c.x2, page_height - c.y1) for c in row] for row in table.cells]
        x0, y0, x1, y1 = table._bbox
        found.append(PageTable(bbox=(x0, page_height - y1, x1, page_height - y0), columns=[], rows=grid,
                               boxes=boxes))
    return found


def _page_items(page, tables: list[PageTable],
                prose: list[tuple[float, str]] | None = None) -> list[tuple[float, TextLine | PageTable]]:
    """The page's tables and prose lines, each with its top coordinate (``prose``: the lines of a page
    without tables, when they have been read)."""
    if prose is not None and not tables:
        return [(top, TextLine(text)) for top, text in prose]
    items: list[tuple[float, TextLine | PageTable]] = [(table.bbox[1], table) for table in tables]
    regions = [table.bbox for table in tables]

    def outside_tables(char: dict) -> bool:
        cx, cy = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in regions)

    chars = [c for c in page.chars if outside_tables(c)] if regions else page.chars
    for top, text in _lines(_words_of(chars)):
        items.append((top, TextLine(text)))
    return items


def _words(page) -> list[_Word]:
    return _words_of(page.chars)


def _words_of(chars: list[dict]) -> list[_Word]:
    return [_Word(text, x0, x1, top, bottom) for text, x0, top, x1, bottom in words(chars)]


def _lines(words: list[_Word]) -> list[tuple[float, str]]:
    """Group words into lines: a word joins a line it overlaps vertically by half its height."""
    lines: list[list[_Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        height = word.bottom - word.top
        for line in reversed(lines[-3:]):
            top, bottom = min(w.top for w in line), max(w.bottom for w in line)
            overlap = min(bottom, word.bottom) - max(top, word.top)
            # a title set in a large font and the 部门/单位 caption beside its lower half are two lines
            line_height = min(w.bottom - w.top for w in line)
            similar = max(height, line_height) <= 1.5 * max(min(height, line_height), 0.1)
            if similar and overlap >= 0.5 * min(height, bottom - top):
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
