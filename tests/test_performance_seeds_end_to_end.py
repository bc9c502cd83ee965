"""The five seed reports through `fiscal refresh`: score tables, stated totals, budget execution, findings."""

import duckdb
import pytest

from tests.conftest import SEEDS, seed_path
from tests.test_refresh_end_to_end import refresh_copies

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    home = refresh_copies(tmp_path_factory, sorted(seed_path(SEEDS).glob("*.txt")), "seeds")
    con = duckdb.connect(str(home / "marts.duckdb"), read_only=True)
    yield con
    con.close()


def rows(con, sql, *params):
    return con.execute(sql, list(params)).fetchall()


def test_every_score_table_is_published_or_held_back_with_its_stated_total(seeds):
    tables = {(source[:3], code): (total, printed, status) for source, code, total, printed, status in rows(
        seeds, "select source_file, table_code, stated_total, printed_scores_sum, publication_status "
               "from mart_performance_score_tables")}
    assert tables == {
        ("000", "PERF_PROJ_01"): (96.0, 96.0, "published"),
        ("000", "PERF_PROJ_02"): (97.0, 97.0, "published"),
        ("000", "PERF_PROJ_03"): (97.0, 96.0, "held_back"),  # the printed scores add to 96
        ("000", "PERF_PROJ_04"): (98.0, 97.0, "held_back"),  # the printed scores add to 97
        ("001", "PERF_DEPT_01"): (90.73, 90.73, "published"),
        ("002", "PERF_FRAME_01"): (98.0, 94.0, "held_back"),
        ("002", "PERF_FRAME_02"): (98.0, 95.0, "held_back"),
        ("003", "PERF_DEPT_01"): (93.76, 93.76, "published"),
        ("004", "PERF_DEPT_01"): (95.41, 83.41, "held_back"),  # interleaved layout: not recoverable
        # 预算支出绩效自评表: 预算执行率 (10) + 产出 + 效益 + 满意度; 总分 printed 100 / 99 / 100 / 94
        ("002", "PERF_SELF_01"): (100.0, 100.0, "published"),
        ("002", "PERF_SELF_02"): (99.0, 99.0, "published"),
        ("002", "PERF_SELF_03"): (100.0, 100.0, "published"),
        ("002", "PERF_SELF_04"): (94.0, 94.0, "published"),
    }


def test_published_department_tree_has_every_indicator_weight_and_score(seeds):
    leaves = rows(seeds, "select indicator_path, weight, score, source_line from mart_performance_scores "
                         "where source_file like '001%' and level = 3 order by source_line")
    assert len(leaves) == 21 and sum(score for _, _, score, _ in leaves) == pytest.approx(90.73)
    assert leaves[0] == ("部门决策 / 预算编制 / 预算编制合理性", 5.0, 5.0, 316)
    assert ("部门管理 / 资金管理 / (未列名称)", 3.0, 3.0, 325) in leaves  # the source prints no name
    assert ("部门绩效 / 效率性 / 预算执行率", 6.0, 4.35, 337) in leaves
    assert ("部门管理 / 人员管理 / 编外人员控制率", 1.0, 0.5, 333) in leaves
    level1 = rows(seeds, "select indicator_name, weight, score from mart_performance_scores "
                         "where source_file like '003%' and level = 1 order by source_line")
    assert level1 == [("部门决策", 25.0, 23.0), ("部门管理", 20.0, 19.0), ("部门绩效", 55.0, 51.76)]


def test_findings_name_the_source_inconsistencies_of_the_score_tables(seeds):
    found = {(file[:3], table, rule, label, actual, expected) for file, table, rule, label, actual, expected in rows(
        seeds, "select file_name, table_code, rule_id, row_label, actual, expected from dq_finding "
               "where severity = 'error' and rule_id like 'score%'")}
    assert ("000", "PERF_PROJ_03", "score_total", "总分", 97.0, 96.0) in found
    assert ("000", "PERF_PROJ_03", "score_weight_rollup", "项目绩效 / 项目产出", 30.0, 29.0) in found
    assert ("000", "PERF_PROJ_04", "score_total", "总分", 98.0, 97.0) in found
    assert ("002", "PERF_FRAME_02", "score_weight_rollup", "过程 / 资金管理", 10.0, 7.0) in found
    unrecoverable = rows(seeds, "select line_no, message from dq_finding where rule_id = 'unreadable_row' "
                                "and file_name like '004%'")
    assert unrecoverable[0][0] == 343 and "cannot be recovered" in unrecoverable[0][1]
    # the held-back tree stays readable in the quarantine
    assert rows(seeds, "select count(*) from fct_performance_score_quarantined where file_name like '004%'")[0][0] > 0


def test_budget_execution_by_function_and_by_item(seeds):
    by_function = dict(rows(seeds, "select item, adjusted_wan from mart_budget_execution "
                                   "where source_table = 'BUD_FUNCTION'"))
    assert float(by_function["总计"]) == 16075.09 and float(by_function["科学技术支出"]) == 8924.44
    code = rows(seeds, "select classification_code from mart_budget_execution where item = '科学技术支出'")
    assert code == [("206",)]
    total = rows(seeds, "select approved_wan, carried_over_wan, supplementary_wan, adjustment_wan, adjusted_wan, "
                        "executed_wan, remaining_wan, execution_rate_stated_pct, execution_rate_pct "
                        "from mart_budget_execution where source_table = 'BUD_EXECUTION' and item = '总计'")
    assert [float(v) for v in total[0]] == [29586.86, 1774.64, 9243.48, -2300.96, 38304.02, 37411.04, 892.98,
                                            97.67, 97.67]
    budget_errors = rows(seeds, "select count(*) from dq_finding where severity in ('error', 'warning') "
                                "and (rule_id like 'budget%' or rule_id = 'subunit_sum')")
    assert budget_errors == [(0,)]


def test_self_evaluation_forms_of_seed_002(seeds):
    leaves = rows(seeds, "select scope_name, indicator_path, weight, score from mart_performance_scores "
                         "where table_code = 'PERF_SELF_04' and score is not null and not score_is_derived "
                         "order by source_line")
    assert leaves[0] == ("政务中心异地新建大楼项目", "预算执行率", 10.0, 10.0)
    assert ("政务中心异地新建大楼项目", "产出指标 / 质量指标 / 项目验收合格率", 10.0, 7.0) in leaves
    assert len(leaves) == 9 and sum(score for *_, score in leaves) == 94.0
    funds = rows(seeds, "select table_title, approved_wan::double, adjusted_wan::double, executed_wan::double, "
                        "execution_rate_stated_pct, execution_rate_pct from mart_budget_execution "
                        "where source_table = 'BUD_PROJECT_01' and item = '年度资金总额'")
    assert funds == [("预算支出绩效自评表：政务中心临聘人员工资、绩效、劳务费", 212.6468, 212.6468, 212.6468, 100.0,
                      100.0)]
    actual = rows(seeds, "select target_text, actual_text, target_value, target_unit from mart_performance_targets "
                         "where table_code = 'PERF_SELF_04' and indicator_name = '项目完成率'")
    assert actual == [("100%", "70%", 100.0, "%")]


def test_target_declarations_of_seed_000(seeds):
    tables = rows(seeds, "select count(distinct table_code), count(*) from mart_performance_targets "
                         "where table_kind = 'target_declaration'")
    assert tables == [(8, 63)]
    target = rows(seeds, "select project_name, target_year, target_operator, target_value, target_unit, source_line "
                         "from mart_performance_targets where indicator_name = '邀请绩效专家召开座谈会'")
    assert target == [("绩效办管理", 2019, ">=", 1.0, "次", 390)]
    assert rows(seeds, "select count(*) from mart_performance_scores where table_kind = 'target_declaration'") == [(0,)]


def test_base_data_table_and_its_genuine_inconsistency(seeds):
    published = rows(seeds, "select count(*) from fct_fiscal_quantity where source_table = 'BASE_DATA'")
    assert published == [(0,)]  # the table is held back: its figures are in the quarantine, with the finding
    held = dict(rows(seeds, "select source_column, amount_printed from fct_fiscal_amount_quarantined "
                            "where source_table = 'BASE_DATA' and source_row_label = '财政供养人员情况'"))
    assert {k: float(v) for k, v in held.items()} == {"编制数": 18.0, "2020年实际在职人数": 11.0, "控制率": 61.0}
    finding = rows(seeds, "select row_label, column_path, actual, expected, severity from dq_finding "
                          "where rule_id = 'base_items_sum' and severity = 'error'")
    assert finding == [("项目支出", "2020年决算数", 1733.634137, 1799.206137, "error")]
    rate = rows(seeds, "select actual, round(expected, 2), severity from dq_finding "
                       "where rule_id = 'base_control_rate'")
    assert rate == [(61.0, 61.11, "info")]  # 11 / 18 printed to whole percents


def test_subunits_link_to_their_parent_unit(seeds):
    children = rows(seeds, "select child.unit_name from dim_unit child join dim_unit parent "
                           "on child.parent_unit_id = parent.unit_id "
                           "where parent.unit_name = '深圳市福田区委区政府办公室(汇总)' order by 1")
    assert [name for (name,) in children] == ["深圳市福田区信息中心", "深圳市福田区委区政府办公室(本级)",
                                              "深圳市福田区政务服务中心", "深圳市福田区档案馆"]


def test_rates_and_counts_are_published_apart_from_money(seeds):
    assets = rows(seeds, "select line_item, indicator_name, quantity, unit_of_measure from fct_fiscal_quantity "
                         "where source_file like '001%' and source_table = 'ASSETS' order by source_line")
    assert ("合计", "利用率", 100.0, "%") in assets and ("通用设备(个、台、辆等)", "数量", 5301.0, "个") in assets
    money = rows(seeds, "select count(*) from fct_fiscal_amount where source_unit in ('%', '个', '人')")
    assert money == [(0,)]


def test_inconsistent_but_recovered_tables_are_shown_marked_and_unrecoverable_ones_are_not(seeds):
    shown = {(file[:3], table): (status, rules, n) for file, table, status, rules, n in rows(
        seeds, "select source_file, table_code, publication_status, held_back_by, count(*) filter (where level = 3) "
               "from mart_performance_scores group by all")}
    assert shown[("000", "PERF_PROJ_03")] == ("held_back", "score_total,score_weight_rollup", 17)
    assert shown[("001", "PERF_DEPT_01")] == ("published", None, 21)
    assert ("004", "PERF_DEPT_01") not in shown  # its layout could not be recovered: the finding says why
    published = rows(seeds, "select count(*) from fct_performance_score where table_code = 'PERF_PROJ_03' "
                            "and file_name like '000%'")
    assert published == [(0,)]


def test_the_asset_total_quoted_with_its_parts_that_do_not_add_up(seeds):
    """Seed 003 quotes its 总资产 with the four parts it consists of; they add up to 10.00 万元 less."""
    found = rows(seeds, "select rule_id, severity, origin, actual, expected, line_no from dq_finding "
                        "where file_name like '003%' and rule_id = 'narrative_figure_parts_sum'")
    assert found == [("narrative_figure_parts_sum", "warning", "source", 9909.86, 9899.86, 133)]
