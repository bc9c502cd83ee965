"""How the PDF reader rebuilds printed grids, on pages drawn rule by rule (tests/pdf_fixtures.py): every
amount lands under the header it is printed under, or nowhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.parse_report import parse_report_file
from ingest.reader import report_from_bytes
from tests.pdf_fixtures import Cell, Grid, draw_grid, draw_text, pdf_pages

pytest.importorskip("reportlab")


def parsed(data: bytes):
    return parse_report_file(report_from_bytes(Path("fixture.pdf"), data))


def cells_of(outcome, table_code: str) -> dict[tuple, float]:
    return {(c["row_code"] or c["row_label"], c["side"], c["column_path"]): c["amount"]
            for c in outcome.cells if c["table_code"] == table_code}


def test_a_label_spanning_columns_stands_over_each_of_them_and_no_other():
    """决算 三公 table: 公务接待费 spans 预算数 | 决算数 beside 公务用车运行费; its 0.95 is 公务接待费's."""
    x = [40 + 60 * i for i in range(13)]
    header = [Cell(0, 0, "合计", 2, 2), Cell(0, 2, "因公出国（境）费", 2, 2), Cell(0, 4, "公务用车购置及运行费", 1, 6),
              Cell(0, 10, "公务接待费", 2, 2), Cell(1, 4, "小计", 1, 2), Cell(1, 6, "公务用车购置费", 1, 2),
              Cell(1, 8, "公务用车运行费", 1, 2)]
    header += [Cell(2, c, "预算数" if c % 2 == 0 else "决算数") for c in range(12)]
    body = [Cell(3, c, "") for c in range(12)]
    body[0].text, body[10].text = "0.95", "0.95"

    def page(canvas):
        draw_text(canvas, 300, 40, "财政拨款“三公”经费支出决算表", size=18)
        draw_text(canvas, 40, 58, "部门：测试单位", size=9)
        draw_text(canvas, 700, 58, "单位：万元", size=9)
        draw_grid(canvas, Grid(x, 80, 22, 4, header + body))

    data = pdf_pages(lambda c: draw_text(c, 40, 40, "测试单位2024年度部门决算", size=16), page)
    three_public = cells_of(parsed(data), "GK07")
    assert three_public == {("", None, "合计/预算数"): 0.95, ("", None, "公务接待费/预算数"): 0.95}


def test_white_cell_paddings_cut_no_phantom_columns():
    """A spreadsheet export paints white rectangles inside some cells: their edges are not rules, and the
    class rows' amounts stay in the one 金额 column with the items'."""
    x = [50, 180, 420, 560]
    rows = [("204", "公共安全支出", "26,200.88"), ("20405", "法院", "26,200.88"),
            ("2040501", "行政运行", "14,857.61"), ("2040502", "一般行政管理事务", "11,343.27")]
    cells = [Cell(0, 0, "功能科目代码"), Cell(0, 1, "功能科目名称"), Cell(0, 2, "金额"),
             Cell(1, 0, ""), Cell(1, 1, "合计"), Cell(1, 2, "26,200.88", align="right")]
    for i, (code, name, amount) in enumerate(rows, start=2):
        cells += [Cell(i, 0, code, align="left"), Cell(i, 1, name, align="left"), Cell(i, 2, amount, align="right")]

    def page(canvas):
        draw_text(canvas, 200, 40, "2018年度测试单位一般公共预算支出预算表", size=14)
        draw_text(canvas, 500, 62, "单位：万元", size=9)
        draw_grid(canvas, Grid(x, 80, 20, 6, cells, white_padding=5, padded_rows={2}))

    outcome = parsed(pdf_pages(lambda c: draw_text(c, 40, 40, "测试单位2018年度部门预算", size=16), page))
    assert cells_of(outcome, "GK05") == {
        ("合计", None, "金额"): 26200.88, ("204", None, "金额"): 26200.88, ("20405", None, "金额"): 26200.88,
        ("2040501", None, "金额"): 14857.61, ("2040502", None, "金额"): 11343.27}
    assert not outcome.issues


def test_a_table_continued_without_its_top_rule_keeps_its_columns():
    """Page 2 goes on with the table: its first row has no top rule, its 合计 label spans the 类 | 款 | 项 code
    columns and the name column. Every amount stays under 合计 / 基本支出 / 项目支出."""
    x = [40, 80, 120, 160, 420, 540, 660, 780]
    head = [Cell(0, 0, "类"), Cell(0, 1, "款"), Cell(0, 2, "项"), Cell(0, 3, "功能分类科目名称"), Cell(0, 4, "合计"),
            Cell(0, 5, "基本支出"), Cell(0, 6, "项目支出")]
    first = [("201", "", "", "一般公共服务支出", "300", "100", "200"),
             ("201", "06", "", "财政事务", "300", "100", "200"),
             ("201", "06", "01", "行政运行", "100", "100", "0")]
    second = [("201", "06", "02", "一般行政管理事务", "200", "0", "200")]

    def rows_of(data, start):
        return [Cell(start + i, j, text, align="right" if j >= 4 else "left")
                for i, row in enumerate(data) for j, text in enumerate(row)]

    def page1(canvas):
        draw_text(canvas, 320, 30, "2025年部门支出预算总表", size=16)
        draw_text(canvas, 40, 52, "编制部门：测试单位", size=9)
        draw_text(canvas, 700, 52, "单位：元", size=9)
        draw_grid(canvas, Grid(x, 70, 22, 4, head + rows_of(first, 1)))

    def page2(canvas):
        total = [Cell(1, 0, "合计", 1, 4), Cell(1, 4, "300", align="right"), Cell(1, 5, "100", align="right"),
                 Cell(1, 6, "200", align="right")]
        draw_grid(canvas, Grid(x, 40, 22, 2, rows_of(second, 0) + total, top_rule=False))

    outcome = parsed(pdf_pages(lambda c: draw_text(c, 40, 40, "测试单位2025年部门预算", size=16), page1, page2))
    cells = cells_of(outcome, "GK03")
    assert cells[("2010602", None, "合计")] == 200.0
    assert cells[("2010602", None, "项目支出")] == 200.0
    assert cells[("合计", None, "基本支出")] == 100.0
    assert cells[("合计", None, "项目支出")] == 200.0
    assert not outcome.issues


def test_a_two_sided_summary_reads_every_expenditure_column_under_one_caption():
    """Shanghai 财务收支预算总表: 预算数 over 合计 | 基本支出 (人员经费, 公用经费) | 项目支出 is four columns."""
    x = [40, 200, 300, 460, 540, 620, 700, 780]
    cells = [Cell(0, 0, "本年收入", 1, 2), Cell(0, 2, "本年支出", 1, 5),
             Cell(1, 0, "项目", 3, 1), Cell(1, 1, "预算数", 3, 1), Cell(1, 2, "项目", 3, 1), Cell(1, 3, "预算数", 1, 4),
             Cell(2, 3, "合计", 2, 1), Cell(2, 4, "基本支出", 1, 2), Cell(2, 6, "项目支出", 2, 1),
             Cell(3, 4, "人员经费"), Cell(3, 5, "公用经费")]
    body = [("一、财政拨款收入", "1,000", "一、一般公共服务支出", "800", "300", "200", "300"),
            ("二、事业收入", "", "二、住房保障支出", "200", "200", "", ""),
            ("收入总计", "1,000", "支出总计", "1,000", "500", "200", "300")]
    cells += [Cell(4 + i, j, text, align="left" if j in (0, 2) else "right")
              for i, row in enumerate(body) for j, text in enumerate(row)]

    def page(canvas):
        draw_text(canvas, 300, 30, "2025年预算单位财务收支预算总表", size=16)
        draw_text(canvas, 40, 52, "编制单位：测试单位", size=9)
        draw_text(canvas, 740, 52, "单位：元", size=9)
        draw_grid(canvas, Grid(x, 70, 22, 7, cells))

    outcome = parsed(pdf_pages(lambda c: draw_text(c, 40, 40, "测试单位2025年单位预算", size=16), page))
    summary = cells_of(outcome, "GK01")
    assert summary[("一、财政拨款收入", "income", "预算数")] == 1000.0
    assert summary[("一、一般公共服务支出", "expenditure", "预算数/合计")] == 800.0
    assert summary[("一、一般公共服务支出", "expenditure", "预算数/基本支出/人员经费")] == 300.0
    assert summary[("一、一般公共服务支出", "expenditure", "预算数/基本支出/公用经费")] == 200.0
    assert summary[("支出总计", "expenditure", "预算数/项目支出")] == 300.0
    assert len(summary) == 12 and not outcome.issues


def test_a_title_beside_its_small_caption_is_its_own_line():
    """A large title whose lower half overlaps a small 部门/单位 caption line is read as two lines, so the
    title is recognised (and the caption names the unit)."""
    from ingest.renderings.pdf import render_pdf

    def page(canvas):
        draw_text(canvas, 300, 40, "收支预算总表", size=22)
        draw_text(canvas, 40, 52, "部门：测试单位", size=9)
        draw_text(canvas, 700, 52, "单位：万元", size=9)

    lines = render_pdf(pdf_pages(page)).lines
    assert "收支预算总表" in lines
    assert any(line.startswith("部门：测试单位") and line.endswith("单位：万元") for line in lines)


def test_text_outside_its_clipping_path_is_not_read():
    """A text box laid out whole and clipped to the page's text area: the overflow is printed again on the next
    page, so the clipped copy must not be read (it would quote every overflowing figure twice)."""
    from ingest.renderings.pdf import render_pdf
    from tests.pdf_fixtures import PAGE_H

    def page(canvas):
        canvas.saveState()
        clip = canvas.beginPath()
        clip.rect(40, PAGE_H - 120, 700, 100)  # the text area: 20 to 120 points from the top
        canvas.clipPath(clip, stroke=0, fill=0)
        draw_text(canvas, 50, 40, "1.行政运行（项）1,623.18万元。")
        draw_text(canvas, 50, 160, "2.信息化建设（项）166.66万元。")  # overflows the text area: clipped
        canvas.restoreState()

    def next_page(canvas):
        draw_text(canvas, 50, 40, "2.信息化建设（项）166.66万元。")

    rendering = render_pdf(pdf_pages(page, next_page))
    assert [(line, page_no) for line, page_no in zip(rendering.lines, rendering.pages, strict=True)] == [
        ("1.行政运行（项）1,623.18万元。", 1), ("2.信息化建设（项）166.66万元。", 2)]


def test_the_clip_index_finds_what_comparing_every_clipped_object_finds():
    """``clip_test`` files a page's clipped objects under squares of the page; it says what ``is_clipped`` says
    comparing a character with every one of them: on random boxes (on square lines, spanning squares, off the
    page, one covering everything) and on the shared Shanghai budget page that clips 934 text objects."""
    import random

    from ingest.renderings.pdf_clipping import GRID, clip_test, is_clipped

    rng = random.Random(3)
    for trial in range(60):
        regions = []
        for _ in range(rng.choice([0, 3, 8, 40, 200])):
            x0 = rng.choice([rng.uniform(-60, 800), GRID * rng.randint(0, 12), GRID * rng.randint(0, 12) - 0.5])
            top = rng.choice([rng.uniform(-60, 1100), GRID * rng.randint(0, 20) - 0.5])
            box = (x0, top, x0 + rng.choice([0.5, 9.0, GRID, 300.0]), top + rng.choice([0.5, 12.0, GRID]))
            visible = (box[0] + rng.uniform(-5, 5), box[1] + rng.uniform(-5, 5), box[2] + rng.uniform(-5, 5),
                       box[3] + rng.uniform(-5, 5))
            regions.append((box, visible))
        if rng.random() < 0.2:
            regions.append(((-1e6, -1e6, 1e6, 1e6), (0.0, 0.0, 10.0, 10.0)))
        hidden = clip_test(regions)
        for _ in range(200):
            x0, top = rng.choice([rng.uniform(-20, 820), GRID * rng.randint(0, 16)]), rng.uniform(-20, 1120)
            if regions and rng.random() < 0.5:  # just over one of a box's edges
                box = rng.choice(regions)[0]
                x0 = rng.choice([box[0] - 4.2, box[2] - 0.3, rng.uniform(box[0], box[2])])
                top = rng.choice([box[1] - 8.7, box[3] - 0.3, rng.uniform(box[1], box[3])])
            char = {"x0": x0, "x1": x0 + rng.choice([0.0, 4.5, 9.0]), "top": top, "bottom": top + 9.0}
            assert hidden(char) == is_clipped(char, regions), trial
        for char in ({"x0": -1e5, "x1": 1e5, "top": 0.0, "bottom": 1e5},  # a page-sized glyph
                     {"x0": float("nan"), "x1": float("nan"), "top": 10.0, "bottom": 19.0}):
            assert hidden(char) == is_clipped(char, regions), trial

    corpus = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "pdf"
    path = corpus / "上海市普陀区财政局部门25年预算.pdf"
    if not path.exists():
        pytest.skip(f"real corpus not available at {path}")
    from ingest.renderings.pdf_pdfium import PdfiumDocument

    with PdfiumDocument(path.read_bytes()) as document:
        pages, clipped = document.pages, document.clipped
    page_no, regions = max(clipped.items(), key=lambda item: len(item[1]))
    assert len(regions) == 934
    chars = pages[page_no - 1].chars
    hidden = clip_test(regions)
    verdicts = [hidden(c) for c in chars]
    assert verdicts == [is_clipped(c, regions) for c in chars] and any(verdicts) and not all(verdicts)


def test_a_form_label_merged_over_two_slots_is_not_spread_over_its_value():
    """A key-value form (项目名称 | value over two merged slots each): only a header cell whose columns a lower
    header row tells apart is a group label; a form's label stays where it is printed."""
    from ingest.renderings.table_repair import TableSegment, split_grid

    grid = [["项目名称", None, "新建社区中心", None],
            ["主管部门", None, "测试街道办事处", None],
            ["项目资金（元）", None, "项目资金总额", "4,100,000.00"]]
    origins = [[None, (0, 0), None, (0, 2)], [None, (1, 0), None, (1, 2)], [None, (2, 0), None, None]]
    segment = next(part for part in split_grid(grid, origins=origins, exact_columns=True)
                   if isinstance(part, TableSegment))
    assert segment.rows[0] == ["项目名称", "", "新建社区中心", ""]
    grouped = [["合计", None, "公务接待费", None], ["预算数", "决算数", "预算数", "决算数"], ["1.00", "", "1.00", ""]]
    origins = [[None, (0, 0), None, (0, 2)], [None] * 4, [None] * 4]
    segment = next(part for part in split_grid(grouped, origins=origins, exact_columns=True)
                   if isinstance(part, TableSegment))
    assert segment.rows[0] == ["合计", "合计", "公务接待费", "公务接待费"]


def test_codes_split_over_columns_without_their_leading_zeros_are_padded_and_nothing_is_dropped():
    """款 / 项 stored as numbers in a spreadsheet print as 6 and 1: 201 | 6 | 1 is 2010601, not 201."""
    from ingest.renderings.table_repair import TableSegment, split_grid

    grid = [["类", "款", "项", "科目名称", "合计"], ["201", "", "", "一般公共服务支出", "300"],
            ["201", "6", "", "财政事务", "300"], ["201", "6", "1", "行政运行", "100"],
            ["合计", None, None, None, "300"]]
    rows = next(part for part in split_grid(grid) if isinstance(part, TableSegment)).rows
    assert [row[0] for row in rows] == ["", "201", "20106", "2010601", "合计"]


def test_a_note_under_the_table_is_not_one_of_its_rows():
    """A note set right under the grid, its year a separate word (Latin/CJK spacing), stays prose: as a row it
    would put 2025 under 功能科目名称 and take the table's rows down with it."""
    x = [50, 180, 420, 560]
    cells = [Cell(0, 0, "功能科目代码"), Cell(0, 1, "功能科目名称"), Cell(0, 2, "金额"),
             Cell(1, 0, ""), Cell(1, 1, "合计", align="left"), Cell(1, 2, "300.00", align="right"),
             Cell(2, 0, "201", align="left"), Cell(2, 1, "一般公共服务支出", align="left"),
             Cell(2, 2, "300.00", align="right")]

    def page(canvas):
        draw_text(canvas, 200, 40, "2025年度测试单位一般公共预算支出预算表", size=14)
        draw_text(canvas, 500, 62, "单位：万元", size=9)
        draw_grid(canvas, Grid(x, 80, 20, 3, cells))
        draw_text(canvas, 50, 145, "注：本表反映测试单位", size=9)
        draw_text(canvas, 290, 145, "2025", size=9)
        draw_text(canvas, 430, 145, "年度支出情况。", size=9)

    outcome = parsed(pdf_pages(lambda c: draw_text(c, 40, 40, "测试单位2025年度部门预算", size=16), page))
    assert cells_of(outcome, "GK05") == {("合计", None, "金额"): 300.0, ("201", None, "金额"): 300.0}
    assert not outcome.issues


def test_an_amount_spanning_two_rows_is_read_once():
    """An income item and its amount merged over two expenditure rows: the label stands in both rows, the
    amount once (twice, it would be summed twice into 本年收入合计)."""
    from ingest.renderings.table_repair import TableSegment, split_grid

    grid = [["项目", "金额", "项目", "金额"],
            ["一、一般公共预算", "1,000.00", "一、基本支出", "800.00"],
            [None, None, "二、项目支出", "200.00"]]
    origins = [[None] * 4, [None] * 4, [(1, 0), (1, 1), None, None]]
    rows = next(part for part in split_grid(grid, origins=origins, exact_columns=True)
                if isinstance(part, TableSegment)).rows
    assert rows[2] == ["一、一般公共预算", "", "二、项目支出", "200.00"]


def _continued_pages(first_page_extra, second_page_extra):
    """A 支出预算总表 with split codes over two pages (the second without its header), each page given extras."""
    x = [40, 80, 120, 160, 420, 540, 660, 780]
    head = [Cell(0, 0, "类"), Cell(0, 1, "款"), Cell(0, 2, "项"), Cell(0, 3, "功能分类科目名称"),
            Cell(0, 4, "合计"), Cell(0, 5, "基本支出"), Cell(0, 6, "项目支出")]

    def rows_of(data, start):
        return [Cell(start + i, j, text, align="right" if j >= 4 else "left")
                for i, row in enumerate(data) for j, text in enumerate(row)]

    def page1(canvas):
        first_page_extra(canvas)
        draw_text(canvas, 320, 80, "2025年部门支出预算总表", size=16)
        draw_text(canvas, 700, 102, "单位：元", size=9)
        draw_grid(canvas, Grid(x, 120, 22, 3, head + rows_of([("201", "", "", "一般公共服务支出", "300", "100", "200"),
                                                              ("201", "06", "", "财政事务", "300", "100", "200")], 1)))

    def page2(canvas):
        second_page_extra(canvas)
        draw_grid(canvas, Grid(x, 80, 22, 2, rows_of([("201", "06", "01", "行政运行", "100", "100", "0"),
                                                      ("201", "06", "02", "一般行政管理事务", "200", "0", "200")], 0)))

    return page1, page2


def test_a_running_header_and_footer_do_not_break_a_table_continued_on_the_next_page():
    def furniture(canvas, page_no):
        draw_text(canvas, 300, 20, "测试单位2025年部门预算公开", size=9)
        draw_text(canvas, 380, 570, f"测试单位 第{page_no}页", size=9)

    page1, page2 = _continued_pages(lambda c: furniture(c, 2), lambda c: furniture(c, 3))

    def cover(canvas):
        furniture(canvas, 1)
        draw_text(canvas, 300, 200, "测试单位2025年部门预算", size=20)

    outcome = parsed(pdf_pages(cover, page1, page2))
    cells = cells_of(outcome, "GK03")
    assert cells[("2010601", None, "合计")] == 100.0 and cells[("2010602", None, "项目支出")] == 200.0
    assert not outcome.issues


def test_a_title_printed_again_over_the_continuation_does_not_start_another_table():
    page1, page2 = _continued_pages(lambda c: None,
                                    lambda c: draw_text(c, 320, 40, "2025年部门支出预算总表", size=16))
    outcome = parsed(pdf_pages(lambda c: draw_text(c, 300, 200, "测试单位2025年部门预算", size=20), page1, page2))
    assert [t["table_code"] for t in outcome.tables] == ["GK03"]
    assert cells_of(outcome, "GK03")[("2010602", None, "合计")] == 200.0
    assert not outcome.issues
