"""Staffing rates recomputed from their headcounts, and rate-scored indicators re-scored from their own
评分标准 (figures as in the seeds: 编制 20, 在编 18, 编外 1 → 90 %, 5.26 %, 编外 score 0.5)."""

import pandas as pd
import pytest

from expectations.narrative_checks import narrative_comparisons
from expectations.rescoring_checks import band_points, rescoring_comparisons, score_bands
from expectations.suite import evaluate
from ingest.performance.staffing import staffing_claims

STAFFING = ("我中心 2020 年度核定编制人数(含工勤人员) 20 人, 实际在编人员数 18 人; 使用劳务派遣人员人数(含直接聘用的"
            "编外人员) 1 人。当年度财政供养人员控制率为 {supply}%, 编外人员控制率为 {outside}%。")
OUTSIDE_STANDARD = "1. 比率<5%的，得1分； 2. 5%≤比率≤10%的，得0.5分； 3. 比率>10%的，得0分。"
SUPPLY_STANDARD = ("财政供养人员控制率=本年度在编人数（含工勤人员）/核定编制数（含工勤人员） "
                   "1. 财政供养人员控制率≤100%的，得1分； 2. 财政供养人员控制率>100%的，得0分。")


def claims(supply="90", outside="5.26") -> pd.DataFrame:
    rows = staffing_claims(["二、部门整体支出情况", STAFFING.format(supply=supply, outside=outside)], set())
    return pd.DataFrame(rows).assign(document_id="d")


def nodes(supply_score=1.0, outside_score=0.5) -> pd.DataFrame:
    return pd.DataFrame({
        "document_id": "d", "table_code": "PERF_DEPT_01", "line_no": [332, 333],
        "indicator_name": ["财政供养人员控制率", "编外人员控制率"],
        "indicator_path": ["部门管理 / 人员管理 / 财政供养人员控制率", "部门管理 / 人员管理 / 编外人员控制率"],
        "weight": [1.0, 1.0], "score_printed": [supply_score, outside_score],
        "scoring_standard": [SUPPLY_STANDARD, OUTSIDE_STANDARD],
    })


def findings(comparisons: pd.DataFrame) -> pd.DataFrame:
    return evaluate(comparisons)


def test_headcounts_and_stated_rates_are_read_from_the_sentence():
    frame = claims()
    assert frame[["target_row", "stated", "numerator", "denominator"]].values.tolist() == [
        ["财政供养人员控制率", 90.0, 18, 20], ["编外人员控制率", 5.26, 1, 19]]


def test_consistent_staffing_rates_pass_and_a_wrong_one_warns():
    assert findings(narrative_comparisons(pd.DataFrame(), claims())).empty
    wrong = findings(narrative_comparisons(pd.DataFrame(), claims(outside="4.26")))
    assert list(wrong["rule_id"]) == ["narrative_staffing_rate"] and list(wrong["severity"]) == ["warning"]
    assert wrong.iloc[0]["expected"] == pytest.approx(5.26)


def test_score_bands_are_read_from_the_printed_standard():
    bands = score_bands(OUTSIDE_STANDARD)
    assert [band_points(bands, rate) for rate in (4.99, 5.0, 5.26, 10.0, 10.01, 25)] == [1, 0.5, 0.5, 0.5, 0, 0]
    supply = score_bands(SUPPLY_STANDARD)
    assert [band_points(supply, rate) for rate in (90, 100, 120)] == [1, 1, 0]


def test_self_scores_matching_their_rule_pass_and_a_generous_one_warns():
    assert findings(rescoring_comparisons(nodes(), claims())).empty
    generous = findings(rescoring_comparisons(nodes(outside_score=1.0), claims()))
    assert list(generous["rule_id"]) == ["indicator_rescored"] and list(generous["severity"]) == ["warning"]
    assert (generous.iloc[0]["actual"], generous.iloc[0]["expected"]) == (1.0, 0.5)
    over_staffed = STAFFING.replace("实际在编人员数 18 人", "实际在编人员数 24 人")
    frame = pd.DataFrame(staffing_claims([over_staffed.format(supply="120", outside="4")], set())).assign(
        document_id="d")
    over = findings(rescoring_comparisons(nodes(), frame))  # 24/20 = 120 % earns 0, the table prints 1
    assert set(over["row_label"]) == set(nodes()["indicator_path"])
