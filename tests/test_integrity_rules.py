"""Every rule of the catalog passes on a consistent report and fails on a targeted alteration."""

import re

import pandas as pd
import pytest

from expectations.catalog import rules
from expectations.comparisons import all_comparisons
from expectations.suite import evaluate, unreadable_rows
from ingest.amounts import UNIT_SCALE_TO_WAN
from ingest.report_text import parse_report_text
from ingest.sample_reports import east_lake_finance_bureau, render_final_accounts
from tests.conftest import REPO
from tests.test_performance_rules import BUDGET_ALTERATIONS, BUDGET_RULES, SCORE_ALTERATIONS, SCORE_RULES

RESCORING_RULES = {"narrative_staffing_rate", "indicator_rescored"}
DOCUMENT_RULES = {"standard_tables_present"}  # tests/test_sample_faults.py
CLASSES = dict(pd.read_csv(REPO / "dbt_project" / "seeds" / "functional_classes.csv", dtype=str)[
    ["class_name", "class_code"]].itertuples(index=False, name=None))
NUMBERING = re.compile(r"^([一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|[0-9]+[、.])")


def amounts_frame(text: str) -> pd.DataFrame:
    """The shape of int_amounts_classified, built straight from the parser."""
    document = parse_report_text(text)
    rows = []
    for table in document.tables:
        for cell in table.cells:
            rows.append({
                "document_id": "d" * 64, "table_code": cell.table_code, "side": cell.side,
                "row_label": cell.row_label, "line_item": NUMBERING.sub("", cell.row_label),
                "row_code": cell.row_code, "row_number": cell.row_number, "column_path": cell.column_path,
                "classification_code": cell.row_code or (CLASSES.get(NUMBERING.sub("", cell.row_label))
                                                         if cell.side == "expenditure" else None),
                "column_number": cell.column_number, "printed_unit": table.printed_unit, "line_no": cell.line_no,
                "amount_wan": cell.amount * UNIT_SCALE_TO_WAN[table.printed_unit], "value_text": cell.value_text,
            })
    return pd.DataFrame(rows)


def sample(alterations=None) -> str:
    report = east_lake_finance_bureau()
    report.alterations = alterations or {}
    return render_final_accounts(report)


def breaches(text: str) -> pd.DataFrame:
    findings = evaluate(all_comparisons(amounts_frame(text)))
    return findings[findings["severity"] != "info"]


def test_consistent_report_has_no_finding_at_all():
    comparisons = all_comparisons(amounts_frame(sample()))
    assert set(comparisons["rule_id"]) == (set(rules()) - {"unreadable_row", "audit_failed"} - NARRATIVE_RULES
                                           - SCORE_RULES - BUDGET_RULES - {"base_control_rate", "base_items_sum"}
                                           - RESCORING_RULES - DOCUMENT_RULES - NARRATIVE_FIGURE_RULES)
    assert (comparisons["actual"] - comparisons["expected"]).abs().max() < 1e-6
    assert evaluate(comparisons).empty


# (occurrence, printed text) -> replacement; each alteration breaks the named rule
ALTERATIONS = {
    "hierarchy_rollup": {(0, "2010602\t一般行政管理事务\t386.75\t0.00"): "2010602\t一般行政管理事务\t386.75\t1.00"},
    "column_total": {(0, "合计\t\t2,910.99\t1,608.91"): "合计\t\t2,910.99\t1,618.91"},
    "row_total": {(0, "2010601\t行政运行\t1,262.90\t1,262.90"): "2010601\t行政运行\t1,262.90\t1,263.90"},
    "side_subtotal": {(0, "本年收入合计\t7\t2,923.49"): "本年收入合计\t7\t2,933.49"},
    "side_grand_total": {(0, "年初结转和结余\t9\t64.20"): "年初结转和结余\t9\t65.20"},
    "carry_over_breakdown": {(0, "一般公共预算财政拨款\t7\t64.20"): "一般公共预算财政拨款\t7\t60.20"},
    "two_sided_balance": {(0, "总计\t11\t2,987.69\t总计\t22\t2,987.69"): "总计\t11\t2,987.69\t总计\t22\t2,997.69"},
    "basic_expenditure_classes": {(0, "公用经费合计\t\t\t\t"): "公用经费合计\t\t\t\t1"},
    "personnel_expenditure_split": {(0, "人员经费合计\t\t1,"): "人员经费合计\t\t2,"},
    "income_by_source_reconciles": {(0, "合计\t\t2,923.49\t2,923.49\t0.00"): "合计\t\t2,923.49\t2,923.49\t1.00"},
    "expenditure_by_class_reconciles": {(0, "三、住房保障支出\t14\t88.90"): "三、住房保障支出\t14\t98.90"},
    "general_budget_reconciles": {(0, "三、住房保障支出\t12\t88.90\t88.90"): "三、住房保障支出\t12\t88.90\t86.90"},
    "basic_expenditure_reconciles": {
        (1, "合计\t\t2,910.99\t1,608.91\t1,302.08"): "合计\t\t2,910.99\t1,508.91\t1,402.08"},
}


@pytest.mark.parametrize("rule_id", sorted(ALTERATIONS))
def test_each_rule_fails_on_its_alteration(rule_id):
    found = breaches(sample(ALTERATIONS[rule_id]))
    assert rule_id in set(found["rule_id"]), found[["rule_id", "message"]].to_string()
    finding = found[found["rule_id"] == rule_id].iloc[0]
    assert finding["severity"] == rules()[rule_id].severity
    assert abs(finding["difference"]) >= 0.99
    assert finding["table_code"] and finding["message"]


def test_rounding_alone_is_info_not_breach():
    # 2010699 row: 957.51 = 42.18 + 915.33; print the 项 one cent off -> parent differs by 0.01 from its children
    text = sample({(0, "2010699\t其他财政事务支出\t957.51\t42.18\t915.33"):
                   "2010699\t其他财政事务支出\t957.51\t42.18\t915.34"})
    findings = evaluate(all_comparisons(amounts_frame(text)))
    assert not findings.empty
    assert set(findings["severity"]) == {"info"}
    assert set(findings["rule_id"]) >= {"row_total"}


def test_tolerance_grows_with_the_number_of_addends():
    comparisons = all_comparisons(amounts_frame(sample()))
    gk06 = comparisons[(comparisons["rule_id"] == "hierarchy_rollup") & (comparisons["row_code"] == "301")].iloc[0]
    assert gk06["n_addends"] == 7
    assert gk06["tolerance"] == pytest.approx(0.04)


def test_blank_children_are_not_zeros():
    text = "\n".join([
        "支出决算表", "公开 03 表", "部门：测试单位", "单位：万元",
        "项 目\t\t本年支出合计\t基本支出\t项目支出",
        "功能分类科目编码\t科目名称\t\t\t", "栏次\t\t1\t2\t3",
        "205\t教育支出\t10.00\t\t10.00",        # 基本支出 blank at every level: nothing to compare
        "20502\t普通教育\t10.00\t\t10.00",
        "2050201\t学前教育\t-2.00\t\t-2.00",    # negative amounts (refunds) add like any other
        "2050202\t小学教育\t12.00\t\t12.00",
    ])
    comparisons = all_comparisons(amounts_frame(text))
    rollups = comparisons[comparisons["rule_id"] == "hierarchy_rollup"]
    assert set(rollups["column_path"]) == {"本年支出合计", "项目支出"}
    assert evaluate(comparisons).empty


def test_whole_yuan_tables_are_compared_at_their_printed_precision():
    """A budget printed in whole 元: each value is rounded to 1 元, so a 类 may differ from its 款 by
    rounding alone by up to 0.5 元 per value; 1 元 over three values is rounding, 3 元 a breach."""
    def table(class_amount: str) -> str:
        return "\n".join([
            "部门支出预算总表", "编制部门：测试单位 单位：元",
            "功能分类科目编码\t功能分类科目名称\t合计",
            f"201\t一般公共服务支出\t{class_amount}",
            "20101\t人大事务\t1,000,001",
            "20103\t政府办公厅(室)及相关机构事务\t2,000,000",
        ])
    rounding = evaluate(all_comparisons(amounts_frame(table("3,000,002"))))
    assert list(rounding["severity"]) == ["info"] and rounding.iloc[0]["tolerance"] == pytest.approx(0.00015)
    breach = evaluate(all_comparisons(amounts_frame(table("3,000,004"))))
    assert list(breach["severity"]) == ["error"]
    assert breach.iloc[0]["difference"] == pytest.approx(0.0003)  # 3 元, in 万元


def test_single_child_parent():
    text = "\n".join([
        "支出决算表", "公开 03 表", "部门：测试单位", "单位：万元",
        "项 目\t\t本年支出合计", "功能分类科目编码\t科目名称\t", "栏次\t\t1",
        "221\t住房保障支出\t5.00", "22102\t住房改革支出\t5.00", "2210201\t住房公积金\t4.00",
    ])
    found = evaluate(all_comparisons(amounts_frame(text)))
    breach = found[found["severity"] == "error"]
    assert list(breach["row_code"]) == ["22102"]
    assert breach.iloc[0]["expected"] == 4.0 and breach.iloc[0]["actual"] == 5.0


def test_unreadable_row_is_an_error_on_its_table_only():
    issues = pd.DataFrame([
        {"document_id": "d" * 64, "file_name": "x.txt", "table_code": "GK05", "line_no": 12,
         "message": "row has 4 amounts where the header has 3 columns", "line_text": "2050203\t初中教育\t5.00"},
        {"document_id": "d" * 64, "file_name": "x.txt", "table_code": None, "line_no": None,
         "message": "no recognisable standard table", "line_text": None},
    ])
    found = unreadable_rows(issues)
    assert list(found["table_code"]) == ["GK05"]
    assert found.iloc[0]["severity"] == "error"
    assert "GK05 line 12: row has 4 amounts" in found.iloc[0]["message"]
    assert unreadable_rows(issues.iloc[1:]).empty


def narrative_findings(text: str) -> pd.DataFrame:
    from expectations.narrative_checks import narrative_comparisons
    from ingest.narrative import narrative_claims

    document = parse_report_text(text)
    table_lines = {n for t in document.tables for n in range(t.first_line, t.last_line + 1)}
    claims = pd.DataFrame(narrative_claims(text.split("\n"), table_lines)).assign(document_id="d" * 64)
    comparisons = narrative_comparisons(amounts_frame(text), claims)
    return comparisons, evaluate(comparisons)


NARRATIVE_RULES = {"narrative_amount", "narrative_share", "narrative_completion_rate", "narrative_change_amount",
                   "narrative_change_rate"}
# a 部门预算's prose figures (tests/test_narrative_figures.py)
NARRATIVE_FIGURE_RULES = {"narrative_figure_change_rate", "narrative_figure_coded_amount", "narrative_figure_parts_sum"}


def test_consistent_narrative_has_no_finding():
    comparisons, findings = narrative_findings(sample())
    assert set(comparisons["rule_id"]) == NARRATIVE_RULES
    # 本年收入, 本年支出, 年末结转和结余; 支出合计, 基本支出, 项目支出; 三公 预算/决算; 公务接待费 预算/决算
    assert len(comparisons[comparisons["rule_id"] == "narrative_amount"]) == 10
    assert findings.empty


NARRATIVE_ALTERATIONS = {
    "narrative_amount": {(0, "决算支出数为 3.42 万元"): "决算支出数为 0.00 万元"},
    "narrative_share": {(0, "占 55.27%"): "占 57.25%"},
    "narrative_completion_rate": {(0, "完成预算的 72.10%"): "完成预算的 27.10%"},
    "narrative_change_amount": {(0, "与上年决算数 4.50 万元相比，减少"): "与上年决算数 4.50 万元相比，增加"},
    "narrative_change_rate": {(0, "增加 5.26%"): "增加 5.62%"},
}


@pytest.mark.parametrize("rule_id", sorted(NARRATIVE_ALTERATIONS))
def test_each_narrative_rule_warns_on_its_alteration(rule_id):
    _, findings = narrative_findings(sample(NARRATIVE_ALTERATIONS[rule_id]))
    warned = findings[findings["severity"] == "warning"]
    assert rule_id in set(warned["rule_id"]), findings[["rule_id", "message"]].to_string()
    assert set(findings["severity"]) <= {"warning", "info"}  # narrative never quarantines


def test_narrative_rounding_of_a_derived_figure_is_info():
    # 基本支出 − 公用经费 printed one cent off the table's 人员经费合计: a derived, rounded figure
    text = sample({(0, "本年支出合计 2,910.99 万元"): "本年支出合计 2,911.00 万元"})
    _, findings = narrative_findings(text)
    assert list(findings["severity"]) == ["info"]


def test_catalog_document_lists_every_rule_and_every_rule_is_tested():
    from expectations.catalog import CATALOG_PATH, render_markdown

    assert CATALOG_PATH.with_name("CATALOG.md").read_text(encoding="utf-8") == render_markdown()
    # score and budget rules: tests/test_performance_rules.py (subunit_sum has its own pass/fail test);
    # base_control_rate and base_items_sum: tests/test_performance_forms.py
    # rescoring and document rules: tests/test_rescoring.py, tests/test_sample_faults.py;
    # audit_failed: tests/test_isolation.py
    tested = (set(ALTERATIONS) | set(NARRATIVE_ALTERATIONS) | {"unreadable_row", "audit_failed"}
              | set(SCORE_ALTERATIONS) | set(BUDGET_ALTERATIONS)
              | {"subunit_sum", "base_control_rate", "base_items_sum"} | RESCORING_RULES | DOCUMENT_RULES
              | NARRATIVE_FIGURE_RULES)  # tests/test_narrative_figures.py
    assert tested == set(rules())


def test_generated_reports_reconcile():
    from ingest.sample_reports import generate_reports

    reports = list(generate_reports(30, seed=3))
    assert reports == list(generate_reports(30, seed=3))  # deterministic for a seed
    assert len({name for name, _ in reports}) == 30
    money = [(name, text) for name, text in reports if not name.endswith("_jixiao.txt")]  # 决算 and 预算
    assert len(money) == 20  # the 绩效 reports' score tables: tests/test_sample_faults.py
    for name, text in money:
        comparisons = all_comparisons(amounts_frame(text))
        excess = (comparisons["actual"] - comparisons["expected"]).abs() - comparisons["tolerance"]
        assert len(comparisons) > 100 and (excess <= 1e-9).all(), name
