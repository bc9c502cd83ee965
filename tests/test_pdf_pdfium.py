"""The pdfium reader (ingest/renderings/pdf_pdfium.py) gives the renderings pdfplumber gives: the same lines,
on the same pages, the same cell boxes (to the last printed decimal, but for 32-bit float rounding), on
every shared real PDF and on pages drawn rule by rule; and where it cannot decide, pdfplumber reads."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest

from ingest.renderings import pdf
from ingest.renderings.pdf_dedupe import dedupe_chars
from ingest.renderings.pdf_pdfium import PdfiumDocument, Unsupported

REPO = Path(__file__).resolve().parent.parent
PDF_CORPUS = REPO.parent / "shared" / "corpus" / "pdf"


def shared_pdfs() -> list[str]:
    return sorted(p.name for p in PDF_CORPUS.glob("*.pdf")) if PDF_CORPUS.exists() else []


def assert_same_rendering(fast, reference) -> None:
    assert fast.lines == reference.lines
    assert fast.pages == reference.pages
    assert fast.page_count == reference.page_count
    assert fast.fallback_pages == reference.fallback_pages
    assert fast.cell_boxes.keys() == reference.cell_boxes.keys()
    for line_no, boxes in reference.cell_boxes.items():
        other = fast.cell_boxes[line_no]
        assert [b is None for b in other] == [b is None for b in boxes], line_no
        for a, b in zip(other, boxes, strict=True):
            if a is not None:
                # pdfium keeps coordinates as 32-bit floats, pdfminer as 64-bit ones of the printed numbers
                assert max(abs(x - y) for x, y in zip(a, b, strict=True)) < 0.05, (line_no, a, b)


@pytest.mark.parametrize("file_name", shared_pdfs() or ["(no corpus)"])
def test_the_pdfium_reader_renders_every_shared_pdf_as_pdfplumber_does(file_name):
    if file_name == "(no corpus)":
        pytest.skip(f"real corpus not available at {PDF_CORPUS}")
    data = (PDF_CORPUS / file_name).read_bytes()
    fast = pdf.render_pdf(data)
    assert fast.reader == "pdfium"
    assert len(fast.reference_pages) <= 3  # pdfplumber reads a page only where pdfium cannot decide
    assert_same_rendering(fast, pdf.render_pdf(data, reader="pdfplumber"))


def test_characters_and_rules_are_pdfminers_on_a_drawn_page():
    pytest.importorskip("reportlab")
    from tests.pdf_fixtures import Cell, Grid, draw_grid, draw_text, pdf_pages

    cells = [Cell(0, 0, "功能科目名称"), Cell(0, 1, "金额"), Cell(1, 0, "行政运行", align="left"),
             Cell(1, 1, "14,857.61", align="right")]

    def page(canvas):
        draw_text(canvas, 200, 40, "一般公共预算支出表", size=14)
        draw_grid(canvas, Grid([50, 250, 400], 80, 20, 2, cells, white_padding=2))

    data = pdf_pages(page)
    with pdfplumber.open(__import__("io").BytesIO(data)) as reference, PdfiumDocument(data) as document:
        fast, slow = document.pages[0], reference.pages[0]
        assert (fast.width, fast.height) == pytest.approx((slow.width, slow.height), abs=1e-3)
        assert [c["text"] for c in fast.chars] == [c["text"] for c in slow.chars]
        assert "".join(c["text"] for c in fast.chars).startswith("一般公共预算支出表")
        for a, b in zip(fast.chars, slow.chars, strict=True):
            assert (a["x0"], a["x1"], a["top"], a["bottom"], a["size"]) == pytest.approx(
                (b["x0"], b["x1"], b["top"], b["bottom"], b["size"]), abs=1e-3)
            assert a["upright"] == b["upright"]
        for kind in ("line", "rect", "curve"):
            got, want = fast.objects.get(kind, []), slow.objects.get(kind, [])
            assert len(got) == len(want), kind
            for a, b in zip(got, want, strict=True):
                assert (a["x0"], a["top"], a["x1"], a["bottom"]) == pytest.approx(
                    (b["x0"], b["top"], b["x1"], b["bottom"]), abs=1e-3)
                assert (a["fill"], a["stroke"]) == (b["fill"], b["stroke"])
        white = [r for r in fast.rects if r["fill"] and not r["stroke"]]
        assert white and all(r["non_stroking_color"] == (1.0, 1.0, 1.0) for r in white)
        # the table the finder builds from them is the same, cell for cell
        assert [t.cells for t in fast.find_tables()] == [
            [pytest.approx(c, abs=1e-3) for c in t.cells] for t in slow.find_tables()]


def test_drawn_pages_render_alike_through_both_readers():
    pytest.importorskip("reportlab")
    from tests.pdf_fixtures import Cell, Grid, draw_grid, draw_text, pdf_pages

    x = [50, 180, 420, 560]
    cells = [Cell(0, 0, "功能科目代码"), Cell(0, 1, "功能科目名称"), Cell(0, 2, "金额"),
             Cell(1, 0, "204", align="left"), Cell(1, 1, "公共安全支出", align="left"),
             Cell(1, 2, "26,200.88", align="right")]

    def page(canvas):
        draw_text(canvas, 200, 40, "2018年度测试单位一般公共预算支出预算表", size=14)
        draw_text(canvas, 500, 62, "单位：万元", size=9)
        draw_grid(canvas, Grid(x, 80, 20, 2, cells, white_padding=1.5))

    data = pdf_pages(page, page)
    fast = pdf.render_pdf(data)
    assert fast.reader == "pdfium" and fast.reference_pages == []
    assert "204\t公共安全支出\t26,200.88" in fast.lines
    assert_same_rendering(fast, pdf.render_pdf(data, reader="pdfplumber"))


def test_a_document_pdfium_cannot_box_is_read_by_pdfplumber(monkeypatch):
    pytest.importorskip("reportlab")
    from tests.pdf_fixtures import draw_text, pdf_pages

    data = pdf_pages(lambda canvas: draw_text(canvas, 40, 40, "测试单位2024年度部门决算", size=16))

    def unsupported(*_args, **_kwargs):
        raise Unsupported("a character turned 45°")

    monkeypatch.setattr("ingest.renderings.pdf_pdfium._chars", unsupported)
    rendering = pdf.render_pdf(data)
    assert rendering.reader == "pdfplumber"
    assert rendering.lines == ["测试单位2024年度部门决算"]


@pytest.mark.parametrize("error", [OverflowError("cannot convert float infinity to integer"),
                                   ValueError("cannot convert float NaN to integer")])
def test_a_coordinate_pdfium_cannot_give_leaves_the_document_to_pdfplumber(monkeypatch, error):
    """Rounding an infinite or undefined coordinate raises (``round(v * 10000.0)``); the page is not read
    with it: pdfplumber reads the document."""
    pytest.importorskip("reportlab")
    from tests.pdf_fixtures import draw_text, pdf_pages

    data = pdf_pages(lambda canvas: draw_text(canvas, 40, 40, "测试单位2024年度部门决算", size=16))

    def broken(*_args, **_kwargs):
        raise error

    monkeypatch.setattr("ingest.renderings.pdf_pdfium._paths", broken)
    rendering = pdf.render_pdf(data)
    assert rendering.reader == "pdfplumber"
    assert rendering.lines == ["测试单位2024年度部门决算"]


def test_an_unknown_reader_is_refused():
    with pytest.raises(ValueError, match="unknown PDF reader"):
        pdf.render_pdf(b"%PDF-1.4", reader="pymupdf")


def test_dedupe_keeps_pdfplumbers_characters_in_pdfplumbers_order():
    from pdfplumber.utils import dedupe_chars as reference

    def char(text, x0, top, font="F"):
        return {"text": text, "x0": x0, "x1": x0 + 9, "top": top, "bottom": top + 9, "doctop": top,
                "upright": True, "fontname": font, "size": 9.0}

    chars = [char("一", 10, 10), char("二", 19, 10), char("一", 10.4, 10.3),  # 一 printed twice
             char("二", 19, 10, font="G"),  # another font: not a duplicate
             char("三", 28, 40), char("三", 28, 40)]  # equal dicts: the first one's place
    kept = dedupe_chars(chars)
    assert kept == reference(chars)
    assert [c["text"] for c in kept] == ["一", "二", "二", "三"]
    assert kept[0] is chars[0] and kept[-1] is chars[4]


def test_dedupe_matches_pdfplumber_on_crowded_pages():
    """Glyphs repeated across a page, near one another along x or y only, chained within a point, exactly
    on a point apart, and printed twice: whatever the groups, pdfplumber's characters in its order."""
    import random

    from pdfplumber.utils import dedupe_chars as reference

    for seed in range(40):
        rng = random.Random(seed)
        chars = []
        for _ in range(rng.randint(20, 160)):
            x0 = rng.choice([10.0, 10.5, 11.0, 11.6, 30.0, 31.0, 55.25]) + rng.choice([0.0, 0.0, 0.3, 1.0, 2.5])
            top = rng.choice([100.0, 100.8, 101.6, 140.0]) + rng.choice([0.0, 0.0, 0.5, 1.0])
            chars.append({"text": rng.choice("0120"), "x0": x0, "x1": x0 + 5, "top": top, "bottom": top + 9,
                          "doctop": top, "upright": True, "fontname": rng.choice("FFG"), "size": 9.0})
        kept = dedupe_chars(chars)
        expected = reference(chars)
        assert kept == expected, seed
        assert [id(c) for c in kept] == [id(c) for c in expected], seed


def test_within_page_keeps_what_pdfplumbers_crop_keeps():
    from ingest.renderings.pdf_dedupe import within_page
    from ingest.renderings.pdf_pdfium import PdfiumPage

    def obj(kind, x0, top, x1, bottom):
        return {"object_type": kind, "x0": x0, "top": top, "x1": x1, "bottom": bottom, "doctop": top,
                "width": x1 - x0, "height": bottom - top, "text": "一", "upright": True}

    objects = {"char": [obj("char", 10, 10, 19, 19), obj("char", 595, 10, 604, 19),  # inside; over the edge
                        obj("char", 0, 0, 9, 9), obj("char", 30, 30, 30, 30)],  # on the corner; no size
               "line": [obj("line", 10, 50, 585, 50), obj("line", -5, 60, 100, 60)]}
    page = PdfiumPage(objects, 1, (0.0, 0.0, 595.0, 842.0), 0)
    kept = within_page(page).objects
    reference = page.within_bbox(page.bbox).objects
    assert {k: [id(o) for o in v] for k, v in kept.items()} == {k: [id(o) for o in v] for k, v in reference.items()}
    assert [(o["x0"], o["top"]) for o in kept["char"]] == [(10, 10), (0, 0)]
    assert [o["x0"] for o in kept["line"]] == [10]


def test_vertical_writing_is_read_by_pdfplumber():
    pytest.importorskip("reportlab")
    import json
    import subprocess
    import sys

    # in a child process: reportlab registers the vertical font under the horizontal one's name
    script = """
import io, json
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from ingest.renderings.pdf import render_pdf
pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light", isVertical=True))
buffer = io.BytesIO()
canvas = Canvas(buffer)
canvas.setFont("STSong-Light", 12)
canvas.drawString(100, 700, "部门决算")
canvas.showPage()
canvas.save()
rendering = render_pdf(buffer.getvalue())
print(json.dumps({"reader": rendering.reader, "lines": rendering.lines}))
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True)
    rendering = json.loads(done.stdout)
    assert rendering["reader"] == "pdfplumber"
    assert "".join(rendering["lines"]) == "部门决算"


def test_blank_padded_cells_are_decided_by_playas_blanks_not_a_second_reading():
    """A Jiangsu court pads empty cells with text objects of blanks only, which pdfium's text page skips: on
    pages 10 and 16, where such blanks alone make a column, playa's blanks decide it (no pdfplumber reading).
    On page 16 playa's own box (ascent to descent) leaves a blank within a point of a strip's edge; the box
    pdfminer gives it (recreated from playa's reading, trusted because the font's other glyphs lie exactly
    where pdfium put them) does not. Either way the rendering is pdfplumber's (the test above)."""
    path = PDF_CORPUS / "省法院2018年度部门预算公开.pdf"
    if not path.exists():
        pytest.skip(f"real corpus not available at {PDF_CORPUS}")
    fast = pdf.render_pdf(path.read_bytes())
    assert fast.blank_pages == [10, 16]
    assert fast.reference_pages == []
    # the column the blanks make: 6 printed columns on page 10's first table, as pdfplumber reads it
    page_10 = [line for line, page in zip(fast.lines, fast.pages, strict=True) if page == 10]
    assert "当年收入小计\t33,172.15\t当年支出小计\t\t\t33,172.15" in page_10


def test_where_playa_cannot_answer_pdfplumber_reads_the_page(monkeypatch):
    path = PDF_CORPUS / "省法院2018年度部门预算公开.pdf"
    if not path.exists():
        pytest.skip(f"real corpus not available at {PDF_CORPUS}")
    monkeypatch.setattr(pdf.PlayaPages, "glyphs", lambda self, page_no: None)
    data = path.read_bytes()
    fast = pdf.render_pdf(data)
    assert fast.reference_pages == [10, 16] and fast.blank_pages == []
    assert_same_rendering(fast, pdf.render_pdf(data, reader="pdfplumber"))


def test_blanks_in_strips_answers_only_when_certain():
    from ingest.renderings.pdf_blanks import Glyph, blanks_in_strips

    chars = [{"text": "合", "x0": 10.0, "x1": 19.0, "top": 10.0, "bottom": 19.0},
             {"text": "计", "x0": 19.0, "x1": 28.0, "top": 10.0, "bottom": 19.0}]
    seen = [Glyph("合", (10.2, 10.1, 19.2, 19.1)), Glyph("计", (19.2, 10.1, 28.2, 19.1))]
    strip = (100.0, 0.0, 150.0, 200.0)

    blank = blanks_in_strips([*seen, Glyph(" ", (120.0, 10.0, 124.5, 19.0))], chars, [strip], 3, 800.0, 1600.0)
    assert [(c["text"], c["x0"], c["top"], c["doctop"], c["page_number"]) for c in blank] == [
        (" ", 120.0, 10.0, 1610.0, 3)]
    assert blanks_in_strips([*seen, Glyph(" ", (60.0, 10.0, 64.5, 19.0))], chars, [strip], 3, 800.0, 0.0) == []
    # a blank within a point of the strip's edge, or whose centre pdfminer may put outside it (playa boxes a
    # missing width as a full em, pdfminer as none: its centre may be at the origin), a character that is not
    # a blank, a glyph without text
    assert blanks_in_strips([*seen, Glyph(" ", (98.0, 10.0, 102.5, 19.0))], chars, [strip], 3, 800.0, 0.0) is None
    assert blanks_in_strips([*seen, Glyph(" ", (96.0, 10.0, 105.0, 19.0))], chars, [strip], 3, 800.0, 0.0) is None
    # inside a column strip, but on the edge of an empty row strip across it: that row is not certain
    row = (100.0, 22.0, 150.0, 40.0)  # the table is 100-150 wide
    assert blanks_in_strips([*seen, Glyph(" ", (120.0, 10.0, 124.5, 19.0))], chars, [strip, row], 3, 800.0, 0.0) is None
    assert blanks_in_strips([*seen, Glyph("5", (120.0, 10.0, 124.5, 19.0))], chars, [strip], 3, 800.0, 0.0) is None
    assert blanks_in_strips([*seen, Glyph(None, (120.0, 10.0, 124.5, 19.0))], chars, [strip], 3, 800.0, 0.0) is None
    # playa's page coordinates are not pdfium's (a crop box or rotation read otherwise): no answer
    moved = [Glyph(text, (x0, top + 5, x1, bottom + 5)) for text, (x0, top, x1, bottom), *_ in seen]
    assert blanks_in_strips([*moved, Glyph(" ", (120.0, 10.0, 124.5, 19.0))], chars, [strip], 3, 800.0, 0.0) is None
    assert blanks_in_strips(None, chars, [strip], 3, 800.0, 0.0) is None
    # a blank on the edge of the row strip by playa's box, whose font's boxes are pdfminer's (the exact box of
    # 合 lies on pdfium's): its middle, well inside the row strip and the column strip, decides; the same
    # blank in a font no glyph of which lies on pdfium's, or whose exact box misses it by more than EXACT,
    # leaves the page to pdfplumber as before
    exact = [Glyph("合", (10.2, 9.0, 19.2, 20.0), (10.0, 10.05, 19.0, 19.0), "F"),
             Glyph("计", (19.2, 9.0, 28.2, 20.0), (19.0, 10.0, 28.0, 19.0), "F")]
    low_blank = Glyph(" ", (120.0, 21.0, 124.5, 32.0), (120.0, 23.0, 122.5, 32.0), "F")
    found = blanks_in_strips([*exact, low_blank], chars, [strip, row], 3, 800.0, 0.0)
    assert [(c["x0"], c["top"], c["x1"], c["bottom"]) for c in found] == [(120.0, 23.0, 122.5, 32.0)]
    assert blanks_in_strips([*exact, low_blank._replace(font="G")], chars, [strip, row], 3, 800.0, 0.0) is None
    off = [g._replace(exact=(g.exact[0], g.exact[1] + 0.3, g.exact[2], g.exact[3] + 0.3)) for g in exact]
    assert blanks_in_strips([*off, low_blank], chars, [strip, row], 3, 800.0, 0.0) is None
    # the exact box's middle within EXACT_EDGE of the row strip's top edge: not certain either
    edge_blank = low_blank._replace(exact=(120.0, 13.1, 122.5, 31.0))
    assert blanks_in_strips([*exact, edge_blank], chars, [strip, row], 3, 800.0, 0.0) is None
    # a glyph of a simple font without a width on the page: playa and pdfminer place what follows it apart
    assert blanks_in_strips([*exact, low_blank, Glyph("元", (200.0, 10.0, 209.0, 19.0), defaulted=True)], chars,
                            [strip, row], 3, 800.0, 0.0) is None


def test_playas_recreated_pdfminer_boxes_are_pdfplumbers_on_shared_pages():
    """The box pdfminer gives each glyph, recreated from playa's reading (``pdf_blanks._glyph``), on pages of
    two layouts: the same glyphs in the same order, boxed alike (to 1e-9 pt; 0.03 pt for the court's
    non-embedded Helvetica, whose descent playa and pdfminer take from different metrics)."""
    from ingest.renderings.pdf_blanks import PlayaPages

    cases = {"省法院2018年度部门预算公开.pdf": ([10, 16], 0.031),
             "shanghai_putuo_wanli_2023_yusuan.pdf": ([3, 4], 1e-9)}
    for name, (pages, tolerance) in cases.items():
        path = PDF_CORPUS / name
        if not path.exists():
            pytest.skip(f"real corpus not available at {PDF_CORPUS}")
        playa_pages = PlayaPages(path.read_bytes())
        with pdfplumber.open(path) as reference:
            for page_no in pages:
                glyphs = playa_pages.glyphs(page_no)
                chars = reference.pages[page_no - 1].chars
                assert [g.text for g in glyphs] == [c["text"] for c in chars]
                assert all(g.exact is not None and not g.defaulted for g in glyphs)
                worst = max(max(abs(a - c[k]) for a, k in zip(g.exact, ("x0", "top", "x1", "bottom"), strict=True))
                            for g, c in zip(glyphs, chars, strict=True))
                assert worst <= tolerance, (name, page_no, worst)
        playa_pages.close()


def test_a_turned_glyph_has_no_exact_box():
    """Turned, a glyph's box is as high as it is wide, and where a font gives no width playa and pdfminer
    differ (a full em, none): the court's page 17 prints one blank turned, which gets no exact box."""
    from ingest.renderings.pdf_blanks import PlayaPages

    path = PDF_CORPUS / "省法院2018年度部门预算公开.pdf"
    if not path.exists():
        pytest.skip(f"real corpus not available at {PDF_CORPUS}")
    playa_pages = PlayaPages(path.read_bytes())
    glyphs = playa_pages.glyphs(17)
    playa_pages.close()
    turned = [g for g in glyphs if g.exact is None]
    assert len(glyphs) > 100 and [g.text for g in turned] == [" "]
