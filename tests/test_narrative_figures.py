"""Figures quoted in report prose: read from a budget narrative written for these tests, from real PDFs
(figures read off the rendered pages), and published end to end in fct_narrative_figure."""

from __future__ import annotations

import shutil

import duckdb
import pandas as pd
import pytest

from expectations.narrative_figure_checks import figure_comparisons
from expectations.suite import evaluate
from ingest.narrative_figures import narrative_figures
from ingest.parse_report import parse_report_file
from ingest.reader import report_from_bytes
from tests.conftest import REPO, fiscal

PDFS = REPO.parent / "shared" / "corpus" / "pdf"

# A 部门预算 narrative written for these tests: lines wrap mid-sentence and mid-amount as PDF text does, a
# page number interrupts a paragraph, amounts are printed in 万元, 元 and 亿元, and a 类 heading governs the
# 款/项 items under it.
BUDGET_NARRATIVE = """示例市东湖区教育局
2024年度部门预算
第一部分 部门概况
一、主要职能
负责全区基础教育的统筹规划和管理。
第二部分 2024年度部门预算情况说明
一、收支预算总体情况说明
示例市东湖区教育局2024年度收入、支出预算总计27,360.50
万元，与上年相比收、支预算总计各增加1,506.04万元，增长
5.83%。主要原因是在校学生人数增加。2023年度部门支出预算安排为25,854.46万元。
（一）收入预算总计27,360.50万元。包括：
1.财政拨款收入预算总计27,000.50万元。
2.其他资金收入预算总计360万元，与上年数一致。
- 2 -
（二）支出预算总计27,360.50万元。包括：
1.教育（类）支出26,500.00万元，主要用于中小学教育。与上
年相比增加1,400万元，增长5.58%。
2.社会保障和就业（类）支出860.50万元。与上年相比减少
12.30万元，下降1.41%。
二、财政拨款支出预算情况说明
（一）教育支出（类）
1.教育管理事务（款）行政运行（项）支出900.00万元，与上年相比增加74.84万元。
2.普通教育（款）小学教育（项）支出13,100.25万元，比上年预算减少
200万元。
三、一般公共预算“三公”经费支出预算情况说明
“三公”经费预算支出中，因公出国（境）费支出0万元；公务用车购置及运行费支出18.50万元，占“三公”经
费的74.00%；公务接待费支出6.50万元，占“三公”经费的26.00%。
公务接待费预算支出6.50万元，本年数小于上年预算数0.5万元。
四、政府采购预算情况说明
2024年度政府采购预算总额1,200.56万元，其中：货物类支出预算305,600元、工程类支出预算2,700,000元、
服务类支出预算0.09亿元。
五、国有资产占用情况
本部门共有车辆3辆。单价50万元（含）以上的设备2台（套）。
"""


def figures_of(text: str, **metadata) -> list[dict]:
    return narrative_figures(text.split("\n"), set(), **metadata)


def find(figures: list[dict], measure: str, value: float) -> dict:
    found = [f for f in figures if f["measure"] == measure and f["value"] == value]
    assert len(found) >= 1, (measure, value, [(f["measure"], f["value"], f["subject"]) for f in figures])
    return found[0]


@pytest.fixture(scope="module")
def budget_figures() -> list[dict]:
    return figures_of(BUDGET_NARRATIVE, report_kind="budget", fiscal_year=2024, unit_name="示例市东湖区教育局")


def test_an_amount_wrapped_over_two_lines_is_read_with_its_subject_and_line(budget_figures):
    total = find(budget_figures, "amount", 27360.50)
    # the number is on line 8, its unit on line 9; the unit's name and the report's year are not the subject
    assert (total["subject"], total["line_no"], total["printed_unit"], total["amount_wan"]) == (
        "收入、支出预算总计", 8, "万元", 27360.50)
    assert total["phase_code"] == "approved"
    # 与上年相比收、支预算总计各增加 1,506.04 万元: the total just named, in short; the change keeps its full name
    change = find(budget_figures, "change", 1506.04)
    assert (change["subject"], change["line_no"]) == ("收入、支出预算总计", 9)
    assert find(budget_figures, "change_pct", 5.83)["subject"] == "收入、支出预算总计"


def test_an_earlier_years_figure_is_prior_with_its_year(budget_figures):
    prior = find(budget_figures, "prior", 25854.46)
    assert (prior["subject"], prior["reference_year"]) == ("2023年度部门支出预算安排", 2023)


def test_a_clause_naming_nothing_takes_the_subject_it_qualifies_and_decreases_are_negative(budget_figures):
    increase = find(budget_figures, "change", 1400)
    assert (increase["subject"], increase["class_name"]) == ("教育（类）支出", "教育")
    decrease = find(budget_figures, "change", -12.30)
    assert decrease["subject"] == "社会保障和就业（类）支出"
    assert find(budget_figures, "change_pct", -1.41)["subject"] == "社会保障和就业（类）支出"
    # 本年数小于上年预算数 0.5 万元: a decrease of the budget of 公务接待费 named before it
    smaller = find(budget_figures, "change", -0.5)
    assert smaller["subject"] == "公务接待费预算支出"


def test_kuan_and_xiang_items_take_the_class_of_their_heading(budget_figures):
    item = find(budget_figures, "amount", 900.00)
    assert (item["subject"], item["class_name"], item["kuan_name"], item["xiang_name"]) == (
        "教育管理事务（款）行政运行（项）支出", "教育支出", "教育管理事务", "行政运行")
    assert find(budget_figures, "change", 74.84)["xiang_name"] == "行政运行"
    school = find(budget_figures, "change", -200)
    assert (school["subject"], school["xiang_name"], school["line_no"]) == (
        "普通教育（款）小学教育（项）支出", "小学教育", 24)


def test_shares_yuan_and_yi_yuan_and_thresholds(budget_figures):
    share = find(budget_figures, "share", 74.00)
    assert (share["subject"], share["amount_wan"], share["printed_unit"]) == ("公务用车购置及运行费支出", None, "%")
    goods = find(budget_figures, "amount", 305600)
    assert (goods["subject"], goods["printed_unit"], goods["amount_wan"]) == ("货物类支出预算", "元", 30.56)
    assert find(budget_figures, "amount", 2700000)["amount_wan"] == 270
    services = find(budget_figures, "amount", 0.09)
    assert (services["subject"], services["printed_unit"], services["amount_wan"]) == ("服务类支出预算", "亿元", 900)
    assert find(budget_figures, "threshold", 50)["subject"] == "单价"
    # counts are not money: 3辆 and 2台 are no figures
    assert {f["printed_unit"] for f in budget_figures} <= {"万元", "元", "亿元", "%"}


def test_page_numbers_and_headings_do_not_enter_the_sentences(budget_figures):
    assert all("- 2 -" not in f["text"] and "情况说明" not in f["subject"] for f in budget_figures)
    assert find(budget_figures, "amount", 27360.50)["section"] == "一、收支预算总体情况说明"


def test_final_accounts_phrasing_budget_and_final_of_one_item():
    text = ("（七）“三公”经费支出决算情况说明\n"
            "公务接待费年初预算数为4.00万元，决算支出数为2.15万元，完成年初预算的53.75%。与上年决算数3.23万元相比，"
            "减少1.08万元，减少33.44%。\n")
    figures = figures_of(text, report_kind="final_accounts", fiscal_year=2023)
    assert [(f["measure"], f["value"], f["subject"], f["phase_code"], f["reference_year"]) for f in figures] == [
        ("amount", 4.00, "公务接待费年初预算数", "approved", None),
        ("amount", 2.15, "公务接待费", "executed", None),
        ("rate", 53.75, "公务接待费", None, None),
        ("prior", 3.23, "公务接待费", "executed", 2022),
        ("change", -1.08, "公务接待费", "executed", None),
        ("change_pct", -33.44, "公务接待费", None, None),
    ]


def test_a_narrative_without_tables_is_parsed_and_a_memo_is_not(tmp_path):
    narrative = report_from_bytes(tmp_path / "预算说明.txt", BUDGET_NARRATIVE.encode())
    outcome = parse_report_file(narrative)
    assert (outcome.document["status"], outcome.document["n_tables"]) == ("parsed", 0)
    assert outcome.document["report_kind"] == "budget" and outcome.document["fiscal_year"] == 2024
    assert len(outcome.figures) == len(figures_of(BUDGET_NARRATIVE, report_kind="budget", fiscal_year=2024))
    memo = report_from_bytes(tmp_path / "通知.txt", "关于做好年度工作的通知\n请于月底前缴纳会费500元。\n".encode())
    outcome = parse_report_file(memo)
    assert outcome.document["status"] == "quarantined" and not outcome.figures
    assert outcome.document["reason"].startswith("通知.txt: no recognisable standard table")
    assert "no report narrative" in outcome.document["reason"]


# ---------------------------------------------------------------- real PDFs (figures read off the rendered pages)

def pdf_figures(name: str) -> list[dict]:
    path = PDFS / name
    if not path.exists():
        pytest.skip(f"real corpus not available at {path}")
    return parse_report_file(report_from_bytes(path, path.read_bytes())).figures


def on_page(figures: list[dict], page: int, measure: str, amount_wan: float) -> list[dict]:
    return [f for f in figures if f["page_no"] == page and f["measure"] == measure
            and f["amount_wan"] is not None and abs(f["amount_wan"] - amount_wan) < 1e-6]


def test_jiangsu_narrative_file_item_and_its_change():
    figures = pdf_figures("江苏省政协办公厅2017年度部门预算.pdf")
    # p9: 1.政协事务（款）行政运行（项）支出3,233.03万元，与上年相比减少108.56万元，下降3.25%
    (item,) = on_page(figures, 9, "amount", 3233.03)
    assert item["subject"] == "政协事务（款）行政运行（项）支出"
    assert (item["class_name"], item["kuan_name"], item["xiang_name"]) == ("一般公共服务支出", "政协事务", "行政运行")
    (change,) = on_page(figures, 9, "change", -108.56)
    assert change["subject"] == item["subject"]
    # p9: 江苏省政协办公厅 2017 年度财政拨款收、支预算 9,066.79 万元 (the unit's name wraps onto the next line)
    assert [f["subject"] for f in on_page(figures, 9, "amount", 9066.79)][0] == "财政拨款收、支预算"


def test_jiangsu_smaller_than_last_years_budget_is_a_decrease():
    figures = pdf_figures("2017年省检察院部门预算.pdf")
    # p23: 3．公务接待费预算支出 156.55 万元，本年数小于上年预算数 29.65 万元
    assert [f["subject"] for f in on_page(figures, 23, "amount", 156.55)] == ["公务接待费预算支出"]
    assert [f["subject"] for f in on_page(figures, 23, "change", -29.65)] == ["公务接待费预算支出"]
    # p23: 2017 年我部门政府采购预算总金额为 2889.8 万元 (under the heading 十二、…情况说明, not joined to
    # it; 我部门 is no part of the subject)
    assert [f["subject"] for f in on_page(figures, 23, "amount", 2889.8)] == ["政府采购预算总金额"]


def test_shanghai_editorial_notes_and_last_years_figures():
    figures = pdf_figures("上海市普陀区万里街道办事处2025年部门预算_草稿.pdf")
    # p6: 一般公共预算拨款支出预算0.00万元，比2024年预算减少15,621.11万元
    assert [f["subject"] for f in on_page(figures, 6, "amount", 0)][:5].count("一般公共预算拨款支出预算") == 1
    assert [f["subject"] for f in on_page(figures, 6, "change", -15621.11)] == ["一般公共预算拨款支出预算"]
    # p6 item 1: “一般公共服务支出（类）统计信息事务（款）专项普查活动（项）”43.83万元，上年:25.77万元
    (prior,) = on_page(figures, 6, "prior", 25.77)
    assert prior["subject"] == "一般公共服务支出（类）统计信息事务（款）专项普查活动（项）"
    assert (prior["reference_year"], prior["xiang_name"]) == (2024, "专项普查活动")
    # p6 item 7: …2023年当年预算执行数为15.00万 (万 alone, an earlier year's execution)
    executed = [f for f in on_page(figures, 6, "prior", 15.0) if f["reference_year"] == 2023]
    assert [(f["phase_code"], f["printed_text"]) for f in executed] == [("executed", "15.00万")]


def test_shanghai_budget_total_and_subject_quoted_as_a_category():
    figures = pdf_figures("上海市财政局25年预算.pdf")
    # p6: 2025年，上海市财政局收入预算17,192万元 … 比2024年预算减少990万元
    assert [f["subject"] for f in on_page(figures, 6, "amount", 17192)][:1] == ["收入预算"]
    assert "财政拨款收入" in [f["subject"] for f in on_page(figures, 6, "change", -990)]
    # p6: 1.“一般公共服务支出”科目12,789万元
    (category,) = on_page(figures, 6, "amount", 12789)
    assert (category["subject"], category["class_name"]) == ("“一般公共服务支出”科目", "一般公共服务支出")


# ---------------------------------------------------------------- end to end

@pytest.mark.e2e
def test_a_narrative_only_report_publishes_its_figures_linked_to_the_tables_codes(tmp_path):
    inbox, home = tmp_path / "inbox", tmp_path / "home"
    inbox.mkdir()
    (inbox / "东湖区教育局2024年部门预算说明.txt").write_text(BUDGET_NARRATIVE, encoding="utf-8")
    result = fiscal("refresh", "--inbox", str(inbox), home=home)
    assert result.returncode == 0, result.stdout + result.stderr
    with duckdb.connect(str(home / "marts.duckdb"), read_only=True) as con:  # no table prints the names yet
        assert con.execute("select count(*), count(classification_code) from fct_narrative_figure "
                           "where subject = '教育管理事务（款）行政运行（项）支出'").fetchone() == (2, 0)
    # another unit's tables print the names (the national classification's): the figures already published
    # take their codes, though nothing of the narrative's own changed (the prose figures' mart is incremental
    # by a state that holds the codes its figures resolve to)
    sample = (REPO / "samples" / "inbox" / "east_lake_education_bureau_2023_juesuan.txt").read_text(encoding="utf-8")
    (inbox / "west_lake_education_bureau_2023_juesuan.txt").write_text(sample.replace("东湖区", "西湖区"),
                                                                        encoding="utf-8")
    result = fiscal("refresh", "--inbox", str(inbox), home=home)
    assert result.returncode == 0, result.stdout + result.stderr
    with duckdb.connect(str(home / "marts.duckdb"), read_only=True) as con:
        assert con.execute("select distinct classification_code from fct_narrative_figure "
                           "where subject = '教育管理事务（款）行政运行（项）支出'").fetchall() == [("2050101",)]
    shutil.copy(REPO / "samples" / "inbox" / "east_lake_education_bureau_2023_juesuan.txt", inbox)
    result = fiscal("refresh", "--inbox", str(inbox), home=home)
    assert result.returncode == 0, result.stdout + result.stderr
    with duckdb.connect(str(home / "marts.duckdb"), read_only=True) as con:
        status = con.execute("select parse_status, n_tables, is_current_version from dim_document "
                             "where file_name = '东湖区教育局2024年部门预算说明.txt'").fetchone()
        assert status == ("parsed", 0, True)
        rows = dict(((subject, measure), (code, amount, line)) for subject, measure, code, amount, line in con.execute(
            "select subject, measure, classification_code, amount_wan, source_line from fct_narrative_figure "
            "where source_file = '东湖区教育局2024年部门预算说明.txt'").fetchall())
        # names the sample 决算's tables print with their codes (2050101 行政运行 under 20501 教育管理事务)
        assert rows[("教育管理事务（款）行政运行（项）支出", "amount")] == ("2050101", 900.0, 22)
        assert rows[("普通教育（款）小学教育（项）支出", "amount")][0] == "2050202"
        assert rows[("教育（类）支出", "amount")][0] == "205"
        assert rows[("服务类支出预算", "amount")] == (None, 900.0, 31)
        unit = con.execute("select count(distinct unit_id) from fct_narrative_figure "
                           "where source_file not like 'west_lake%'").fetchone()[0]
        assert unit == 1  # 示例市东湖区教育局 and the sample's 示例市东湖区教育局(汇总) are one unit
        # the sample's own 情况说明 publishes too (a 决算: phase executed unless the words say 预算)
        sample = con.execute(
            "select subject, phase_code from fct_narrative_figure where source_file = "
            "'east_lake_education_bureau_2023_juesuan.txt' and measure = 'prior'").fetchall()
        assert sample == [("公务接待费", "executed")]


# ---------------------------------------------------------------- budget narrative checks

def budget_frame(text: str = BUDGET_NARRATIVE) -> pd.DataFrame:
    figures = pd.DataFrame(figures_of(text, report_kind="budget", fiscal_year=2024))
    return figures.assign(document_id="d" * 64, report_kind="budget", classification_code=None)


def test_consistent_budget_prose_raises_nothing():
    comparisons = figure_comparisons(pd.DataFrame(), budget_frame())
    # 27,360.50 / +1,506.04 / 5.83%; 26,500.00 / +1,400 / 5.58%; 860.50 / −12.30 / −1.41%; and the 政府采购
    # total 1,200.56 万元 against its 其中 parts (30.56 + 270 + 900)
    assert sorted(comparisons["actual"]) == [-1.41, 5.58, 5.83, 1200.56]
    assert evaluate(comparisons).empty


def test_a_change_rate_that_does_not_follow_from_its_amounts_is_a_warning():
    altered = BUDGET_NARRATIVE.replace("增长5.58%", "增长5.85%")
    findings = evaluate(figure_comparisons(pd.DataFrame(), budget_frame(altered)))
    assert findings[["rule_id", "severity", "line_no", "actual", "expected"]].to_dict("records") == [
        {"rule_id": "narrative_figure_change_rate", "severity": "warning", "line_no": 17, "actual": 5.85,
         "expected": 5.58}]


def test_a_coded_amount_is_compared_with_the_closest_cell_of_its_code():
    figures = budget_frame()
    figures.loc[figures["subject"] == "教育管理事务（款）行政运行（项）支出", "classification_code"] = "2050101"
    cells = pd.DataFrame({"document_id": "d" * 64, "classification_code": "2050101", "table_code": "GK05",
                          "column_path": ["本年支出/小计", "本年支出/基本支出"], "amount_wan": [900.004, 850.0]})
    consistent = figure_comparisons(cells, figures).query("rule_id == 'narrative_figure_coded_amount'")
    assert consistent[["rule_id", "actual", "expected"]].to_dict("records") == [
        {"rule_id": "narrative_figure_coded_amount", "actual": 900.0, "expected": 900.0}]
    findings = evaluate(figure_comparisons(cells.assign(amount_wan=[90.0, 85.0]), figures))
    assert findings[["rule_id", "severity", "actual", "expected"]].to_dict("records") == [
        {"rule_id": "narrative_figure_coded_amount", "severity": "warning", "actual": 900.0, "expected": 90.0}]


def test_real_budgets_change_rates_breach_only_where_the_documents_are_inconsistent():
    """The gold README lists the documents' own inconsistencies: 检察院 p22 增长129.97% for 3401.59 on
    6032.55 (129.29%), 法院 p19 减少5.95% for 392.92 on 6049.97 (6.10%). Nothing else may breach."""
    breaches = []
    for name in ("2017年省检察院部门预算.pdf", "省法院2018年度部门预算公开.pdf", "江苏省政协办公厅2017年度部门预算.pdf",
                 "江苏省政协办公厅2019年度部门预算.pdf", "江苏省委办公厅2018年度部门预算公开文件.pdf"):
        figures = pd.DataFrame(pdf_figures(name)).rename(columns={"content_hash": "document_id"})
        findings = evaluate(figure_comparisons(pd.DataFrame(), figures.assign(report_kind="budget",
                                                                              classification_code=None)))
        warnings = findings[findings["severity"] == "warning"].merge(
            figures, left_on=["line_no", "column_path"], right_on=["line_no", "printed_text"])
        breaches += [(name, row.page_no, row.actual, row.expected) for row in warnings.itertuples()]
    assert breaches == [("2017年省检察院部门预算.pdf", 22, 129.97, 129.29),
                        ("省法院2018年度部门预算公开.pdf", 19, -5.95, -6.1)]


def test_a_total_whose_parts_do_not_add_up_is_a_warning_and_a_partial_list_is_not_compared():
    text = "\n".join([
        "一、资产情况",
        "截至年末资产总额9,909.86万元，其中：流动资产720.75万元、固定资产774.27万元、在建工程8,335.33万元、"
        "无形资产69.51万元。",
        "二、支出情况",
        "全年支出1,000.00万元，其中人员经费600.00万元、公用经费200.00万元。",
        "三、采购情况",
        "采购总额100.00万元，其中货物60.00万元、服务50.00万元。",
    ])
    figures = pd.DataFrame(figures_of(text, report_kind="performance", fiscal_year=2021))
    figures = figures.assign(document_id="d" * 64, report_kind="performance", classification_code=None)
    comparisons = figure_comparisons(pd.DataFrame(), figures)
    assert comparisons[["rule_id", "actual", "expected"]].to_dict("records") == [
        {"rule_id": "narrative_figure_parts_sum", "actual": 9909.86, "expected": 9899.86},
        {"rule_id": "narrative_figure_parts_sum", "actual": 100.0, "expected": 110.0}]  # 80 % of 1,000: a partial list
    findings = evaluate(comparisons)
    assert findings[["severity", "actual", "expected"]].to_dict("records") == [
        {"severity": "warning", "actual": 9909.86, "expected": 9899.86},
        {"severity": "warning", "actual": 100.0, "expected": 110.0}]


def test_a_change_after_a_list_of_parts_is_the_totals_not_the_last_parts():
    text = ["一、收支预算总体情况",
            "2025年支出预算18,976.76万元，其中：基本支出6,000.00万元，项目支出12,976.76万元。比2024年预算增加"
            "3,355.65万元，增长21.48%。"]
    read = [(f["subject"], f["measure"], f["value"])
            for f in narrative_figures(text, set(), report_kind="budget", fiscal_year=2025)]
    assert read[3:] == [("支出预算", "change", 3355.65), ("支出预算", "change_pct", 21.48)]


def test_figures_are_found_sentence_by_sentence_even_when_a_match_would_run_across_a_sentence_end():
    """A block's amounts are matched once and shared out to its sentences; where a match would run across
    a sentence end (a bracket holding a 。 or ；), each sentence is matched alone, as before."""
    lines = ["一、收支预算总体情况",
             "本部门收入预算1,234.50万元，比上年增加12.30%。其中基本支出200(含；",
             "税)万元。项目支出80.00万元。"]
    figures = narrative_figures(lines, set(), report_kind="budget", fiscal_year=2024)
    assert [(f["printed_text"], f["line_no"]) for f in figures] == [
        ("1,234.50万元", 2), ("12.30%", 2), ("80.00万元", 3)]
    assert figures[2]["subject"] == "项目支出"


def test_folding_and_width_are_those_of_each_character():
    """_flat and _width look up only the characters that can differ; the result is the per-character one."""
    import random
    import unicodedata

    from ingest.narrative_figures import _flat, _width

    assert _flat("（一）２０２３年支出１，２３４．５万元") == "(一)2023年支出1,234.5万元"
    assert _width("一、概况") == 8 and _width("ab 1.") == 5 and _width("𠀀a") == 3  # U+20000 is wide
    assert _flat("𝐀１") == "A1"  # a letter beyond the BMP folds too

    def fold(char: str) -> str:
        folded = unicodedata.normalize("NFKC", char)
        return folded if len(folded) == 1 else char

    draw = random.Random(7)
    for _ in range(3000):
        text = "".join(chr(draw.choice([draw.randint(0x20, 0xD7FF), draw.randint(0xE000, 0xFFFF),
                                        draw.randint(0x10000, 0x10FFFF), draw.randint(0xFF00, 0xFFEF)]))
                       for _ in range(draw.randint(0, 10)))
        assert _flat(text) == "".join(map(fold, text))
        assert _width(text) == sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
