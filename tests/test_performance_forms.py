"""预算支出绩效自评表, 绩效目标申报表 and 绩效评价基础数据表 read from hand-made fixtures."""

import pandas as pd

from expectations.base_data_checks import base_data_comparisons
from expectations.budget_checks import budget_comparisons
from expectations.score_checks import score_comparisons
from ingest.performance.base_data_tables import find_base_data_tables
from ingest.performance.self_evaluation_forms import find_self_evaluation_forms
from ingest.performance.target_tables import find_target_tables
from tests.test_performance_rules import amounts_of, breaches, score_frames_of


def cells(*rows: list[str]) -> str:
    """The cell-per-line layout of DOCX extractions: each cell on its own line behind a tab; a cell
    may run over several lines and hold blank lines."""
    return "\n".join("\n".join("\t" + cell.replace("\n", "\n") for cell in row) + "\n" for row in rows)


SELF_FORM = "附件3\n\t项目支出绩效自评表\n\n\t（2023 年度）\n\n" + cells(
    ["项目支\n出名称", "社区图书室运维"],
    ["主管部门", "示例县文化馆", "实施单位", ""],
    ["项目资金\n（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
    ["", "年度资金总额", "80.00万元", "90.00万元", "81.00万元", "10", "90%", "9"],
    ["", "其中：当年财政拨款", "80.00万元", "90.00万元", "81.00万元", "", "90%", ""],
    ["", "上年结转资金", "", "", "", "", "", ""],
    ["年度总\n体目标", "预期目标", "实际完成情况"],
    ["", "保障图书室全年开放。", "全年开放。"],
    ["绩\n效\n指\n标", "一级指标", "二级指标", "三级指标", "年度\n指标值", "实际\n完成值", "分值", "得分",
     "偏差原因\n分析及\n改进措施"],
    ["", "产出\n指标\n\n（60分）", "数量指标", "开放天数", "≥300天", "310天", "30", "30", ""],
    ["", "", "时效指标", "故障修复时长", "≤2天", "3天", "30", "25", "配件到货延迟"],
    ["", "效益\n指标\n（30分）", "经济效\n益指标", "", "不适用", "不适用", "", "", ""],
    ["", "", "社会效\n益指标", "借阅人次", "≥5000人次", "5200人次", "30", "30", ""],
    ["", "满意度\n指标", "服务对象满意度指标", "", "", "", "", "", ""],
    ["", "", "", "……", "", "", "", "", ""],
) + "\t总分\n\t100\n\t94\n\t\n\n填表人：示例\n"


def test_self_evaluation_form_funds_and_score_tree_by_column():
    (form,) = find_self_evaluation_forms(SELF_FORM.split("\n"))
    table, funds = form.score_table, form.funds
    assert (table.table_code, table.kind) == ("PERF_SELF_01", "project_self_evaluation")
    assert table.scope_name == "社区图书室运维"
    assert (table.stated_weight_total, table.stated_total) == (100.0, 94.0)
    nodes = [(n.level, " / ".join(p or "-" for p in n.path), n.weight, n.score, n.target_text, n.actual_text)
             for n in table.indicators]
    assert nodes[0] == (1, "预算执行率", 10.0, 9.0, "", "90%")
    assert (3, "产出指标 / 时效指标 / 故障修复时长", 30.0, 25.0, "≤2天", "3天") in nodes
    assert (2, "效益指标 / 经济效益指标", None, None, "不适用", "不适用") in nodes
    assert [n[1] for n in nodes if n[0] == 1] == ["预算执行率", "产出指标", "效益指标", "满意度指标"]
    assert [n[2] for n in nodes if n[0] == 1] == [10.0, 60.0, 30.0, None]
    assert sum(n.score for n in table.indicators if n.score is not None) == 94.0  # the …… row adds nothing
    assert "配件到货延迟" in [n.deviation_reason for n in table.indicators]
    money = {(c.row_label, c.column_path): (c.amount, c.unit) for c in funds.cells}
    assert funds.table_code == "BUD_PROJECT_01" and funds.title.endswith("社区图书室运维")
    assert money[("年度资金总额", "全年预算数")] == (90.0, "万元")  # the cell prints its unit
    assert money[("其中:当年财政拨款", "执行率")] == (90.0, "%")
    assert ("年度资金总额", "分值") not in money and ("上年结转资金", "年初预算数") not in money
    assert not table.issues and not funds.issues


def test_self_evaluation_weights_roll_up_past_the_unweighted_second_level():
    (form,) = find_self_evaluation_forms(SELF_FORM.split("\n"))
    comparisons = score_comparisons(*score_frames_of([form.score_table]))
    rollup = comparisons[comparisons["rule_id"] == "score_weight_rollup"]
    # 产出指标 (60) is compared with its third-level weights 30 + 30 although 二级 prints none
    assert sorted(zip(rollup["row_label"], rollup["expected"], strict=True)) == [("产出指标", 60.0), ("效益指标", 30.0)]
    assert breaches(comparisons).empty
    (altered,) = find_self_evaluation_forms(SELF_FORM.replace("（60分）", "（65分）").split("\n"))
    found = breaches(score_comparisons(*score_frames_of([altered.score_table])))
    assert {"score_weight_rollup", "score_weight_total"} <= set(found["rule_id"])


def test_self_evaluation_execution_rate_is_recomputed_from_its_amounts():
    (form,) = find_self_evaluation_forms(SELF_FORM.split("\n"))
    rates = budget_comparisons(amounts_of([form.funds]))
    rates = rates[rates["rule_id"] == "budget_execution_rate"]
    assert list(rates["expected"]) == [90.0, 90.0] and breaches(rates).empty
    (altered,) = find_self_evaluation_forms(SELF_FORM.replace("\t81.00万元\n\t10", "\t85.00万元\n\t10").split("\n"))
    found = breaches(budget_comparisons(amounts_of([altered.funds])))
    assert found.iloc[0]["rule_id"] == "budget_execution_rate" and found.iloc[0]["actual"] == 90.0


def test_a_tab_row_narrower_than_its_header_makes_the_form_unrecoverable():
    text = """项目支出绩效自评表

项目名称\t示例项目
一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因
产出指标(50分)\t数量指标\t完成数量\t10个\t10个\t50\t50\t
效益指标(50分)\t社会效益指标\t50\t45
总分\t100\t95
"""
    (form,) = find_self_evaluation_forms(text.split("\n"))
    (issue,) = form.score_table.issues
    assert issue.line_no == 6 and "row has 4 cells, its header 8" in issue.message


TARGETS = """预算项目支出绩效目标申报表

2024 年度

项目名称\t社区图书室运维\t项目属性名称\t上年延续
本年预算金额(万元)\t90.00\t其中:财政拨款(万元)\t90.00
年度绩效指标\t一级指标\t二级指标\t指标内容\t\t指标值
\t产出指标\t数量指标\t全年开放天数\t\t≥300 天
\t\t\t新增图书\t\t

\t\t\t\t2000 册\t
\t\t质量指标\t图书完好率\t98%
\t工作时效\t2024 年全年\t
效益指标\t经济效益指标\t社会效益指标\t不适用\t不适用
\t\t服务对象满意度指标\t读者满意度\t>90%

下一段说明文字。
"""


def test_target_declaration_read_by_vocabulary_with_a_wrapped_value():
    (table,) = find_target_tables(TARGETS.split("\n"))
    assert (table.table_code, table.kind) == ("PERF_TARGET_01", "target_declaration")
    assert table.scope_name == "社区图书室运维"
    assert table.title.endswith("（2024年度）") and table.last_line == 15
    leaves = [(" / ".join(n.path), n.target_text) for n in table.indicators if n.level == 3]
    assert leaves == [
        ("产出指标 / 数量指标 / 全年开放天数", "≥300 天"),
        ("产出指标 / 数量指标 / 新增图书", "2000 册"),  # the value wrapped onto a row of its own
        ("产出指标 / 质量指标 / 图书完好率", "98%"),
        ("产出指标 / 工作时效 / 2024年全年", ""),
        ("效益指标 / 社会效益指标 / 不适用", "不适用"),  # two 二级 names shifted into one row
        ("效益指标 / 服务对象满意度指标 / 读者满意度", ">90%"),
    ]
    assert ("效益指标", "经济效益指标") in [n.path for n in table.indicators] and not table.issues


BASE_DATA = "部门整体支出绩效评价基础数据表\n填报单位：\n" + cells(
    ["财政供养人员情况", "编制数", "2023年实际在职人数", "控制率"],
    ["", "20", "18", "90%"],
    ["经费控制情况", "2022年决算数", "2023年预算数", "2023年决算数"],
    ["三公经费", "", "3.00万元", "2.50万元"],
    ["1、公务用车购置和维护经费", "", "2.00万元", "1.50万元"],
    ["其中：公车购置", "", "", ""],
    ["2、公务接待", "", "1.00万元", "1.00万元"],
    ["项目支出：", "", "100.00万元", "96.00万元"],
    ["1、业务专项", "", "60.00万元", "58.00万元"],
    ["2、运维专项", "", "40.00万元", "38.00万元"],
    ["政府采购金额", "— —", "", ""],
) + "\n说明：示例。\n"


def base_amounts(text: str) -> pd.DataFrame:
    return amounts_of(find_base_data_tables(text.split("\n")))


def test_base_data_table_headcount_rate_and_itemised_lines():
    frame = base_amounts(BASE_DATA)
    got = {(r.row_label, r.column_path): (r.amount_printed, r.printed_unit) for r in frame.itertuples()}
    assert got[("财政供养人员情况", "编制数")] == (20.0, "人")
    assert got[("财政供养人员情况", "控制率")] == (90.0, "%")
    assert got[("项目支出", "2023年决算数")] == (96.0, "万元")
    assert not any(label == "政府采购金额" for label, _ in got)  # '— —' is no value
    comparisons = base_data_comparisons(frame)
    assert breaches(comparisons).empty
    sums = comparisons[comparisons["rule_id"] == "base_items_sum"]
    assert sorted(zip(sums["row_label"], sums["column_path"], sums["expected"], strict=True)) == [
        ("三公经费", "2023年决算数", 2.5), ("三公经费", "2023年预算数", 3.0),
        ("项目支出", "2023年决算数", 96.0), ("项目支出", "2023年预算数", 100.0)]


def test_base_data_rules_fail_on_their_alterations():
    found = breaches(base_data_comparisons(base_amounts(BASE_DATA.replace("\t96.00万元", "\t97.00万元"))))
    finding = found[found["rule_id"] == "base_items_sum"].iloc[0]
    assert (finding["row_label"], finding["actual"], finding["expected"]) == ("项目支出", 97.0, 96.0)
    rate = breaches(base_data_comparisons(base_amounts(BASE_DATA.replace("\t90%", "\t95%"))))
    assert list(rate["rule_id"]) == ["base_control_rate"] and rate.iloc[0]["severity"] == "warning"
    # 18 / 20 = 90 %; printed to whole percents, 90.4 % would still be 90 %: no breach for rounding
    assert breaches(base_data_comparisons(base_amounts(BASE_DATA.replace("\t18\n", "\t18.08\n")))).empty
