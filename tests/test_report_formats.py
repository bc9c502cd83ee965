"""The same report as text, DOCX, XLSX and PDF yields the same facts; format-level repairs on small grids."""

import io
from pathlib import Path

import pytest

from ingest.parse_report import parse_report_file
from ingest.reader import ReportFile, report_from_bytes
from ingest.renderings.table_repair import TableSegment, TextLine, split_grid
from tests.conftest import REPO
from tests.report_writers import to_docx, to_pdf, to_xlsx

SAMPLE = REPO / "samples" / "inbox" / "east_lake_finance_bureau_2023_juesuan.txt"


def report(data: bytes, name: str) -> ReportFile:
    return report_from_bytes(Path(name), data)


def facts(outcome) -> set[tuple]:
    return {(c["table_code"], c["side"], c["row_label"], c["row_code"], c["column_path"], round(c["amount_wan"], 6))
            for c in outcome.cells if c["amount_wan"] is not None}


@pytest.fixture(scope="module")
def text_outcome():
    data = SAMPLE.read_bytes()
    return parse_report_file(report(data, SAMPLE.name))


@pytest.mark.parametrize("writer,suffix", [(to_docx, ".docx"), (to_xlsx, ".xlsx"), (to_pdf, ".pdf")])
def test_every_format_of_the_same_report_gives_the_same_facts(text_outcome, writer, suffix):
    data = writer(SAMPLE.read_text(encoding="utf-8"))
    outcome = parse_report_file(report(data, SAMPLE.stem + suffix))
    assert outcome.document["status"] == "parsed", outcome.document["reason"]
    assert outcome.document["source_format"] == suffix[1:]
    assert outcome.document["unit_name"] == text_outcome.document["unit_name"] == "示例市东湖区财政局"
    assert outcome.document["fiscal_year"] == 2023
    expected = facts(text_outcome)
    assert len(expected) > 150
    assert facts(outcome) == expected
    total = [c for c in outcome.cells if c["table_code"] == "GK01" and c["row_label"] == "总计"
             and c["side"] == "income"]
    assert [c["amount_wan"] for c in total] == [2987.69]
    if suffix == ".pdf":  # every PDF cell keeps its page and box
        assert all(c["page_no"] and c["cell_box"] for c in outcome.cells)


def test_broken_files_of_each_format_are_quarantined_with_the_reason():
    broken_pdf = parse_report_file(report(b"%PDF-1.7\n garbage", "broken.pdf"))
    assert broken_pdf.document["status"] == "quarantined"
    assert "broken.pdf" in broken_pdf.document["reason"] and "PDF" in broken_pdf.document["reason"]
    not_docx = parse_report_file(report(b"PK\x03\x04 not really a zip", "report.docx"))
    assert not_docx.document["status"] == "quarantined"


def test_split_codes_merged_labels_and_in_grid_titles_are_repaired():
    grid = [
        ["一般公共预算财政拨款支出决算表", None, None, None, None],
        ["部门：", "示例局", None, "单位：万元", None],
        ["项目", None, None, None, "合计"],
        ["类", "款", "项", "科目名称", None],
        ["201", "", "", "一般公共服务\n支出", "10.00"],
        ["201", "06", "01", "行政运行", "10.00"],
        ["合计", None, None, None, "10.00"],
    ]
    items = list(split_grid(grid))
    assert [type(i) for i in items] == [TextLine, TextLine, TableSegment]
    assert items[0].text == "一般公共预算财政拨款支出决算表"
    assert items[1].text == "部门： 示例局 单位：万元"
    rows = items[2].rows
    assert rows[2] == ["201", "一般公共服务支出", "10.00"]
    assert rows[3] == ["2010601", "行政运行", "10.00"]
    assert rows[4] == ["合计", "", "10.00"]
    # a continuation page printing its codes over 类/款/项 again, without the header
    continued = list(split_grid([["210", "11", "01", "行政单位医疗", "1.00"]], inherited_codes=[(0, 3)]))
    assert continued[0].rows == [["2101101", "行政单位医疗", "1.00"]]


def test_pages_pdfplumber_reads_no_table_from_fall_back_to_camelot(text_outcome, monkeypatch):
    from ingest.renderings import pdf

    monkeypatch.setattr(pdf, "page_tables", lambda page: [])  # as if the ruling were not recognised
    data = to_pdf(SAMPLE.read_text(encoding="utf-8"))
    rendering = pdf.render_pdf(data)
    assert rendering.fallback_pages == list(range(1, rendering.page_count + 1))
    outcome = parse_report_file(report(data, SAMPLE.stem + ".pdf"))
    assert facts(outcome) == facts(text_outcome)
    assert all(c["page_no"] and c["cell_box"] for c in outcome.cells)


def _three_public_sheet():
    """A 三公 决算 table: 公务接待费 spans two header rows and 预算数 | 决算数, beside 公务用车运行费 one level down
    (merged cells: first row, first column, last row, last column, 0-based)."""
    header = [["合计", None, "公务用车购置及运行费", None, None, None, "公务接待费", None],
              [None, None, "小计", None, "公务用车运行费", None, None, None],
              ["预算数", "决算数"] * 4]
    body = [["1.50", "", "", "", "", "", "1.50", ""]]
    return header, body, [(0, 0, 1, 1), (0, 2, 0, 5), (1, 2, 1, 3), (1, 4, 1, 5), (0, 6, 1, 7)]


def test_merged_header_cells_of_xlsx_and_docx_stand_over_each_column_they_span():
    import docx
    import openpyxl

    header, body, merges = _three_public_sheet()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in ("测试单位2024年度部门决算", "“三公”经费支出决算表", "单位：万元"):
        sheet.append([line])
    for row in header + body:
        sheet.append(row)
    for r0, c0, r1, c1 in merges:
        sheet.merge_cells(start_row=r0 + 4, start_column=c0 + 1, end_row=r1 + 4, end_column=c1 + 1)
    xlsx = io.BytesIO()
    workbook.save(xlsx)

    document = docx.Document()
    for line in ("测试单位2024年度部门决算", "“三公”经费支出决算表", "单位：万元"):
        document.add_paragraph(line)
    table = document.add_table(rows=4, cols=8)
    for i, row in enumerate(header + body):
        for j, text in enumerate(row):
            if text is not None:
                table.cell(i, j).text = text
    for r0, c0, r1, c1 in merges:
        table.cell(r0, c0).merge(table.cell(r1, c1))
    docx_bytes = io.BytesIO()
    document.save(docx_bytes)

    for data, name in ((xlsx.getvalue(), "report.xlsx"), (docx_bytes.getvalue(), "report.docx")):
        outcome = parse_report_file(report(data, name))
        paths = {c["column_path"]: c["amount"] for c in outcome.cells if c["table_code"] == "GK07"}
        assert paths == {"合计/预算数": 1.5, "公务接待费/预算数": 1.5}, name


def test_a_text_report_is_read_without_loading_pdfium():
    """pdfium's library takes ~0.25 s to load in each parse worker: a text inbox does not pay for it."""
    import subprocess
    import sys

    code = ("import sys; from ingest.parse_report import parse_report_file; "
            "from pathlib import Path; from ingest.reader import load_report_file; "
            "outcome = parse_report_file(load_report_file(Path(sys.argv[1]))); "
            "print(len(outcome.cells), 'pypdfium2' in sys.modules, 'pdfplumber' in sys.modules)")
    sample = sorted((REPO / "samples" / "inbox").glob("*.txt"))[0]
    shown = subprocess.run([sys.executable, "-c", code, str(sample)], cwd=REPO, capture_output=True, text=True,
                           check=True).stdout.split()
    assert int(shown[0]) > 100 and shown[1:] == ["False", "False"]
