"""The three real PDFs through `fiscal refresh`: figures read off the pages by eye, phase, provenance, findings.

Shanghai 普陀区财政局 2024 决算 (nine tables, 万元), Shanghai 万里街道 2023 预算 (printed in 元, the
三公 table in 万元) and Jiangsu 省人大常委会办公厅 2017 预算 (titles and captions inside the table frames,
tables continued across pages).
"""

import duckdb
import pytest

from tests.conftest import REPO, seed_path
from tests.test_refresh_end_to_end import refresh_copies

pytestmark = pytest.mark.e2e

PDFS = REPO.parent / "shared" / "corpus" / "pdf"
FINAL_2024 = "shanghai_putuo_czj_2024_juesuan.pdf"
BUDGET_2023 = "shanghai_putuo_wanli_2023_yusuan.pdf"
BUDGET_2017 = "jiangsu_renda_2017_yusuan.pdf"


@pytest.fixture(scope="module")
def pdf_marts(tmp_path_factory):
    # the three PDFs these tests read (the corpus folder holds more, measured by scripts/corpus_check.py)
    home = refresh_copies(tmp_path_factory, [seed_path(PDFS / name) for name in (FINAL_2024, BUDGET_2023, BUDGET_2017)],
                          "pdf")
    con = duckdb.connect(str(home / "marts.duckdb"), read_only=True)
    yield con
    con.close()


def amount(con, file_name, table, *, row=None, code=None, column=None, side=None):
    """The published amount (万元) of one printed cell, found by its table, row (label or code) and column."""
    sql = ("select amount_wan from fct_fiscal_amount where source_file = ? and source_table = ? "
           "and (? is null or source_row_label = ?) and (? is null or source_row_code = ?) "
           "and (? is null or source_column = ?) and (? is null or side = ?)")
    found = con.execute(sql, [file_name, table, row, row, code, code, column, column, side, side]).fetchall()
    assert len(found) == 1, (table, row, code, column, side, found)
    return float(found[0][0])


def test_shanghai_final_accounts_2024_figures(pdf_marts):
    f = FINAL_2024
    assert amount(pdf_marts, f, "GK01", row="本年收入合计", side="income") == 2946.25
    assert amount(pdf_marts, f, "GK01", row="总计", side="income") == 2995.39
    assert amount(pdf_marts, f, "GK01", row="年初结转和结余", side="income") == 49.14
    assert amount(pdf_marts, f, "GK01", row="年末结转和结余", side="expenditure") == 55.34
    assert amount(pdf_marts, f, "GK01", row="八、其他收入", side="income") == 6.20
    assert amount(pdf_marts, f, "GK01", row="十九、住房保障支出", side="expenditure") == 445.69
    # a 类/款/项 chain of 公开05, the codes printed over three columns (201 | 06 | 01)
    assert amount(pdf_marts, f, "GK05", code="201", column="合计") == 2106.66
    assert amount(pdf_marts, f, "GK05", code="20106", column="合计") == 2106.66
    assert amount(pdf_marts, f, "GK05", code="2010601", column="基本支出") == 1503.52
    assert amount(pdf_marts, f, "GK05", row="合计", column="项目支出") == 603.14
    assert amount(pdf_marts, f, "GK02", code="2010601", column="本年收入合计") == 1511.90  # 公开02 says .90, 05 .89
    # 公开02 continues on page 9 without its header: still read, the codes still joined
    assert amount(pdf_marts, f, "GK02", code="2210203", column="财政拨款收入") == 258.50
    assert amount(pdf_marts, f, "GK06", code="30101") == 262.33
    assert amount(pdf_marts, f, "GK06", code="301") == 2082.85
    assert amount(pdf_marts, f, "GK04", row="总计", side="expenditure", column="合计") == 2961.68
    # 三公: the phase is printed under each item (合计 / 预算数 | 决算数)
    phases = pdf_marts.execute(
        "select phase_code, amount_wan from fct_fiscal_amount where source_file = ? and source_table = 'GK07' "
        "and indicator_name = '三公经费合计'", [f]).fetchall()
    assert [(p, float(a)) for p, a in phases] == [("approved", 0.95)]


def test_shanghai_final_accounts_ninth_table_is_read_as_an_empty_table_with_its_note(pdf_marts):
    tables = {code: (notes, status, pages) for code, notes, status, pages in pdf_marts.execute(
        "select table_code, notes, publication_status, [first_page, last_page] from dim_report_table "
        "join dim_document using (document_id) where file_name = ?", [FINAL_2024]).fetchall()}
    assert set(tables) == {"GK01", "GK02", "GK03", "GK04", "GK05", "GK06", "GK07", "GK08", "GK09"}
    notes, status, pages = tables["GK09"]
    assert "无国有资本经营预算财政拨款支出" in notes and status == "empty" and pages == [20, 20]
    assert tables["GK01"][2] == [6, 7]  # continued across the page break


def test_shanghai_budget_2023_figures_in_yuan_are_published_in_wan_yuan_as_approved(pdf_marts):
    f = BUDGET_2023
    assert amount(pdf_marts, f, "GK01", row="收入总计", side="income") == pytest.approx(16497.864)
    assert amount(pdf_marts, f, "GK01", row="一、一般公共服务支出", side="expenditure") == pytest.approx(297.68)
    assert amount(pdf_marts, f, "GK01", row="五、社会保障和就业支出", side="expenditure") == pytest.approx(2707.3236)
    assert amount(pdf_marts, f, "GK02", code="20105", column="收入预算/合计") == pytest.approx(62.76)
    assert amount(pdf_marts, f, "GK02", code="2010506", column="收入预算/合计") == pytest.approx(2.63)
    assert amount(pdf_marts, f, "GK05", code="2120101", column="一般公共预算支出/合计") == pytest.approx(1837.3632)
    assert amount(pdf_marts, f, "GK06", code="301", column="合计") == pytest.approx(8384.7385)
    assert amount(pdf_marts, f, "GK06", row="合计", column="人员经费") == pytest.approx(8402.4865)
    assert amount(pdf_marts, f, "GK06", row="合计", column="公用经费") == pytest.approx(1538.1432)
    # the 三公 table of the same report is printed in 万元
    assert amount(pdf_marts, f, "GK07", column="2023年“三公”经费预算数/合计") == 22.91
    assert amount(pdf_marts, f, "GK07", column="2023年“三公”经费预算数/公务接待费") == 1.35
    phases = pdf_marts.execute("select distinct phase_code from fct_fiscal_amount where source_file = ?", [f])
    assert phases.fetchall() == [("approved",)]
    unit = pdf_marts.execute("select distinct source_unit from fct_fiscal_amount where source_file = ? "
                             "and source_table = 'GK05'", [f]).fetchall()
    assert unit == [("元",)]


def test_jiangsu_budget_2017_figures_from_tables_framed_with_their_titles(pdf_marts):
    f = BUDGET_2017
    assert amount(pdf_marts, f, "GK01", row="收入合计", side="income") == 13649.07
    assert amount(pdf_marts, f, "GK01", row="一、基本支出", side="expenditure_2") == 7666.68
    assert amount(pdf_marts, f, "BGT_APPROP", code="201") == 10528.33
    assert amount(pdf_marts, f, "BGT_APPROP", code="20101") == 10528.33
    assert amount(pdf_marts, f, "BGT_APPROP", code="2010101") == 4545.94
    assert amount(pdf_marts, f, "GK05", code="2210202") == 1018.01
    assert amount(pdf_marts, f, "GK06", code="301") == 2928.98
    assert amount(pdf_marts, f, "GK06", code="30101") == 1015.15
    assert amount(pdf_marts, f, "GK06", row="合计") == 7666.68
    assert amount(pdf_marts, f, "GK07", column="合计") == 2542.60
    assert amount(pdf_marts, f, "GK07", column="“三公”经费/公务接待费") == 427.50
    assert amount(pdf_marts, f, "GK07", column="会议费") == 1305.25
    assert amount(pdf_marts, f, "BGT_OPERATING", code="30215") == 1305.25


def test_every_pdf_fact_traces_to_its_page_and_cell_box(pdf_marts):
    missing = pdf_marts.execute(
        "select count(*) from fct_fiscal_amount where source_file like '%.pdf' "
        "and (source_page is null or source_cell_box is null)").fetchone()[0]
    assert missing == 0
    page, box = pdf_marts.execute(
        "select source_page, source_cell_box from fct_fiscal_amount where source_file = ? and source_table = 'GK05' "
        "and source_row_code = '2010601' and source_column = '基本支出'", [FINAL_2024]).fetchone()
    assert page == 15
    x0, top, x1, bottom = map(float, box.split(","))
    assert x0 < x1 and top < bottom and 150 < top < 565  # inside the table's frame on page 15


def test_pdf_inconsistencies_are_findings_and_every_table_is_published(pdf_marts):
    findings = pdf_marts.execute(
        "select file_name, rule_id, severity, expected, actual from dq_finding where severity in ('error', 'warning')"
    ).fetchall()
    # the 2024 情况说明 states 一般公共服务支出 2,106.66 as 71.73 % of 2,940.05 (it is 71.65 %)
    assert [(f, r, s) for f, r, s, _, _ in findings] == [(FINAL_2024, "narrative_share", "warning")]
    held = pdf_marts.execute("select count(*) from fct_fiscal_amount_quarantined").fetchone()[0]
    assert held == 0
    published = dict(pdf_marts.execute(
        "select source_file, count(*) from fct_fiscal_amount group by 1").fetchall())
    assert published[FINAL_2024] >= 150 and published[BUDGET_2023] >= 600 and published[BUDGET_2017] >= 150


def test_shanghai_budget_2023_project_target_tables_are_read_with_parsed_targets(pdf_marts):
    targets = pdf_marts.execute(
        "select project_name, indicator_path, target_operator, target_value, target_unit, source_page "
        "from mart_performance_targets where source_file = ? and level = 3", [BUDGET_2023]).fetchall()
    projects = {t[0] for t in targets}
    assert len(projects) == 5 and "就业援助基地补贴" in projects
    assert ("就业援助基地补贴", "满意度指标 / 服务对象满意度指标 / 补贴对象满意度", ">=", 80.0, "%") in [
        t[:5] for t in targets]
    assert ("社区环境整治和建设经费", "产出指标 / 数量指标 / 整治行动、病媒消杀", ">=", 12.0, "次") in [
        t[:5] for t in targets]
    assert {t[5] for t in targets} == {31, 32, 33, 34, 35}  # one 填报表 per page


def test_pdf_findings_name_their_page(pdf_marts):
    line, page = pdf_marts.execute(
        "select line_no, page_no from dq_finding where rule_id = 'narrative_share' and file_name = ?",
        [FINAL_2024]).fetchone()
    assert page == 21 and line > 0


def test_overview_totals_of_the_real_budgets_whatever_label_their_summary_table_prints(pdf_marts):
    rows = pdf_marts.execute(
        "select file_name, phase_name, income_total_wan::double, income_total_label, expenditure_total_wan::double, "
        "expenditure_total_label, grand_total_wan::double from mart_unit_year_overview order by file_name").fetchall()
    assert rows == [
        # 当年收入 / 当年支出小计 (and 收入合计 = 当年收入: nothing carried over), 万元
        (BUDGET_2017, "年初预算", 13649.07, "当年收入", 13649.07, "当年支出小计", 13649.07),
        # 决算: 本年收入合计 / 本年支出合计, 总计 with the carry-over
        (FINAL_2024, "决算", 2946.25, "本年收入合计", 2940.05, "本年支出合计", 2995.39),
        # printed in 元: only 收入总计 / 支出总计 and no carry-over row
        (BUDGET_2023, "年初预算", 16497.864, "收入总计", 16497.864, "支出总计", 16497.864),
    ]
