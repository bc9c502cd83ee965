"""The PDF reader's own table-cell search and word grouping give what pdfplumber's give (pdf_cells, pdf_words):
on every page of real PDFs, and on characters built to reach their corner cases."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pdfplumber.table import TableFinder, intersections_to_cells
from pdfplumber.utils import extract_text, extract_words

from ingest.renderings import pdf as reader
from ingest.renderings.pdf_cells import cells_of, find_tables
from ingest.renderings.pdf_pdfium import read_page
from ingest.renderings.pdf_words import cell_text, words

PDFS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "pdf"
# three layouts: a Shanghai street office's 预算 book, a Jiangsu court's 预算 with blank-padded cells, and the
# table file of a split Jiangsu report
SAMPLED = ["shanghai_putuo_wanli_2023_yusuan.pdf", "省法院2018年度部门预算公开.pdf",
           "江苏省委办公厅2018年度部门预算公开表.pdf"]


def _pages(name: str):
    path = PDFS / name
    if not path.exists():
        pytest.skip(f"real corpus not available at {path}")
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        for index in range(len(document)):
            page, _ = read_page(document, index)
            yield reader._visible(page, {}, index + 1)
    finally:
        document.close()


def _as_tuples(found: list[dict]) -> list[tuple]:
    return [(w["text"], w["x0"], w["top"], w["x1"], w["bottom"]) for w in found]


@pytest.mark.parametrize("name", SAMPLED)
def test_cells_words_and_cell_text_equal_pdfplumber_s_on_real_pages(name):
    n_cells = n_words = 0
    for page in _pages(name):
        finder = TableFinder(page)
        expected = intersections_to_cells(finder.intersections)
        assert cells_of(finder.intersections) == expected
        assert [t.cells for t in find_tables(page)] == [t.cells for t in finder.tables]
        n_cells += len(expected)
        found = words(page.chars)
        assert found == _as_tuples(extract_words(page.chars, use_text_flow=False, keep_blank_chars=False))
        n_words += len(found)
        for x0, top, x1, bottom in expected:
            inside = [c for c in page.chars if x0 <= (c["x0"] + c["x1"]) / 2 <= x1
                      and top <= (c["top"] + c["bottom"]) / 2 <= bottom]
            assert cell_text(inside) == extract_text(inside)
    assert n_cells > 100 and n_words > 500  # the pages were read, not skipped


def _char(text: str, x0: float, top: float, size: float = 10.0, upright: bool = True) -> dict:
    return {"text": text, "x0": x0, "x1": x0 + size, "top": top, "bottom": top + size, "doctop": top,
            "upright": upright, "size": size, "fontname": "F", "width": size, "height": size}


def test_words_on_the_corner_cases():
    chars = [
        _char("收", 10, 100), _char("入", 20, 101.5),  # 1.5 pt lower: the same line and word
        _char(" ", 30, 100), _char("合", 40, 100),  # a blank ends a word
        _char("计", 53.5, 100),  # 3.5 pt after the previous end: a new word
        _char("", 70, 100),  # an empty text is a word of its own (pdfplumber's punctuation split)
        _char("ﬁ", 80, 100),  # a ligature is expanded
        _char("1", 5, 120), _char("2", 15, 122.9), _char("3", 25, 125.8),  # chained within 3 pt: one line
        _char("竖", 200, 300, upright=False), _char("排", 200, 310, upright=False),  # rotated: pdfplumber reads
        _char("0", 12, 100),  # starts left of the previous start: a new word
    ]
    assert words(chars) == _as_tuples(extract_words(chars, use_text_flow=False, keep_blank_chars=False))
    for part in (chars[:7], chars[7:10], chars[10:12], chars):
        assert cell_text(part) == extract_text(part)
