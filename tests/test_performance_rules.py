"""Score-tree and budget-table rules: each passes on a consistent fixture and fails on an alteration."""

import pandas as pd
import pytest

from expectations.budget_checks import budget_comparisons
from expectations.catalog import rules
from expectations.score_checks import score_comparisons
from expectations.suite import evaluate
from ingest.performance.budget_tables import find_budget_tables
from ingest.performance.score_tables import find_score_tables
from tests.test_performance_parsers import EXECUTION_TABLE, PROJECT_TABLE

SCORE_RULES = {"score_weight_rollup", "score_weight_total", "score_total", "score_within_weight"}
BUDGET_RULES = {"budget_rows_total", "budget_identity_total", "budget_identity_remaining", "budget_execution_rate",
                "subunit_sum"}


def score_frames(text: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    return score_frames_of(find_score_tables(text.split("\n")))


def score_frames_of(parsed) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shapes of int_performance_indicators_resolved and stg_raw__performance_tables."""
    nodes, tables = [], []
    for table in parsed:
        tables.append({"document_id": "d", "table_code": table.table_code, "stated_total": table.stated_total,
                       "stated_total_line": table.stated_total_line,
                       "stated_weight_total": table.stated_weight_total})
        for node in table.indicators:
            path = " / ".join(name or "(未列名称)" for name in node.path)
            parent = " / ".join(name or "(未列名称)" for name in node.path[:-1]) or None
            nodes.append({"document_id": "d", "table_code": table.table_code, "level": node.level,
                          "indicator_path": path, "parent_path": parent, "weight": node.weight,
                          "score_printed": node.score, "line_no": node.line_no})
    return pd.DataFrame(nodes), pd.DataFrame(tables)


def amounts(text: str) -> pd.DataFrame:
    return amounts_of(find_budget_tables(text.split("\n")))


def amounts_of(parsed) -> pd.DataFrame:
    """The shape of int_amounts_classified, as far as the budget and base-data rules read it."""
    rows = []
    for table in parsed:
        for cell in table.cells:
            rows.append({"document_id": "d", "table_code": cell.table_code, "row_label": cell.row_label,
                         "column_path": cell.column_path, "amount_printed": cell.amount,
                         "value_text": cell.value_text, "printed_unit": cell.unit or table.printed_unit,
                         "line_no": cell.line_no})
    return pd.DataFrame(rows)


def breaches(comparisons: pd.DataFrame) -> pd.DataFrame:
    findings = evaluate(comparisons)
    return findings[findings["severity"] != "info"]


def test_consistent_score_table_has_no_breach_and_every_score_rule_ran():
    comparisons = score_comparisons(*score_frames(PROJECT_TABLE))
    assert set(comparisons["rule_id"]) == SCORE_RULES
    assert breaches(comparisons).empty
    total = comparisons[comparisons["rule_id"] == "score_total"].iloc[0]
    assert (total["actual"], total["expected"], total["n_addends"]) == (97.0, 97.0, 4)


SCORE_ALTERATIONS = {
    "score_weight_rollup": ("资金分配\t20\t分配办法\t20\t20", "资金分配\t20\t分配办法\t18\t18"),
    "score_weight_total": ("项目决策\t30", "项目决策\t35"),
    "score_total": ("总分\t100\t\t100\t\t100\t97", "总分\t100\t\t100\t\t100\t98"),
    "score_within_weight": ("目标内容\t10\t8", "目标内容\t10\t12"),
}


@pytest.mark.parametrize("rule_id", sorted(SCORE_ALTERATIONS))
def test_each_score_rule_fails_on_its_alteration(rule_id):
    before, after = SCORE_ALTERATIONS[rule_id]
    assert before in PROJECT_TABLE
    found = breaches(score_comparisons(*score_frames(PROJECT_TABLE.replace(before, after))))
    assert rule_id in set(found["rule_id"]), found[["rule_id", "message"]].to_string()
    assert set(found.loc[found["rule_id"] == rule_id, "severity"]) == {rules()[rule_id].severity}


def test_score_total_names_expected_and_printed_values():
    text = PROJECT_TABLE.replace("总分\t100\t\t100\t\t100\t97", "总分\t100\t\t100\t\t100\t98")
    found = breaches(score_comparisons(*score_frames(text)))
    finding = found[found["rule_id"] == "score_total"].iloc[0]
    assert (finding["actual"], finding["expected"], finding["line_no"]) == (98.0, 97.0, 8)
    assert "8+20+40+29" in finding["message"]


def test_consistent_execution_table_has_no_breach_with_a_qizhong_list():
    comparisons = budget_comparisons(amounts(EXECUTION_TABLE))
    assert set(comparisons["rule_id"]) == BUDGET_RULES - {"subunit_sum"}
    assert breaches(comparisons).empty, breaches(comparisons)["message"].tolist()
    rows_total = comparisons[comparisons["rule_id"] == "budget_rows_total"]
    basic = rows_total[rows_total["row_label"] == "基本支出小计"]
    subtotal = basic[basic["column_path"] == "部门预算指标"].iloc[0]
    # 公务用车运行维护费 printed after 其中 belongs to the 其中 list: 300 + 50 = 350
    assert (subtotal["expected"], subtotal["addends"]) == (350.0, "人员经费+公用经费")


BUDGET_ALTERATIONS = {
    "budget_rows_total": ("基本支出小计\t\t350.00", "基本支出小计\t\t351.00"),
    "budget_identity_total": ("\t140.00\t126.00\t14.00", "\t141.00\t126.00\t14.00"),
    "budget_identity_remaining": ("\t300.00\t290.00\t10.00", "\t300.00\t290.00\t12.00"),
    "budget_execution_rate": ("\t96.67%", "\t97.67%"),
}


@pytest.mark.parametrize("rule_id", sorted(BUDGET_ALTERATIONS))
def test_each_budget_rule_fails_on_its_alteration(rule_id):
    before, after = BUDGET_ALTERATIONS[rule_id]
    assert before in EXECUTION_TABLE
    found = breaches(budget_comparisons(amounts(EXECUTION_TABLE.replace(before, after))))
    assert rule_id in set(found["rule_id"]), found[["rule_id", "message"]].to_string()
    assert set(found.loc[found["rule_id"] == rule_id, "severity"]) == {rules()[rule_id].severity}


SUBUNITS = """附表：2020年财政拨款“三公”经费决算情况表

单位：万元

单位\t2020年预算数\t\t2020年度决算数\t
\t合计\t公务接待费\t合计\t公务接待费
某局（汇总）\t10.00\t4.00\t8.00\t3.00
某局（本级）\t6.00\t2.50\t5.00\t2.00
某中心\t4.00\t1.50\t3.00\t1.00
"""


def test_subunit_table_sums_to_the_consolidated_row_and_fails_when_altered():
    comparisons = budget_comparisons(amounts(SUBUNITS))
    sums = comparisons[comparisons["rule_id"] == "subunit_sum"]
    assert len(sums) == 4 and breaches(comparisons).empty
    found = breaches(budget_comparisons(amounts(SUBUNITS.replace("某中心\t4.00", "某中心\t5.00"))))
    finding = found[found["rule_id"] == "subunit_sum"].iloc[0]
    assert (finding["column_path"], finding["actual"], finding["expected"]) == ("2020年预算数/合计", 10.0, 11.0)
