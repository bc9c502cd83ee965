"""The five seed reports through `fiscal refresh`: score tables, stated totals, budget execution, findings."""

import shutil

import duckdb
import pytest

from tests.conftest import SEEDS, seed_path
from tests.test_refresh_end_to_end import fiscal

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    inbox = tmp_path_factory.mktemp("seeds")
    for path in sorted(seed_path(SEEDS).glob("*.txt")):
        shutil.copy(path, inbox / path.name)
    home = tmp_path_factory.mktemp("warehouse")
    result = fiscal("refresh", "--inbox", str(inbox), home=home)
    assert result.returncode == 0, result.stdout + result.stderr
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
