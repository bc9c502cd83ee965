"""The fact marts are incremental by publication state (int_document_publication_states): a refresh rebuilds
only the documents whose parse, version status or holds changed. Whatever changed, each of them must hold
exactly what a full rebuild of the same warehouse holds.

The oracle is the same home copied, its marts stamp removed (so `dbt build --full-refresh` rebuilds every
fact mart) and refreshed with --force; the build databases' marts are compared table for table, every column.
"""

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SEED_000, fiscal

pytestmark = pytest.mark.e2e

INCREMENTAL_MARTS = ("fct_fiscal_amount", "fct_fiscal_quantity", "fct_fiscal_amount_superseded",
                     "fct_fiscal_amount_quarantined", "fct_performance_score", "fct_performance_score_quarantined",
                     "mart_performance_scores", "mart_performance_targets", "fct_narrative_figure",
                     "fct_narrative_figure_superseded", "mart_budget_execution")
ERRATUM_FILE = "east_lake_education_bureau_2023_juesuan.txt"  # the bundled sample whose 公开03 does not add up
OTHER_FILE = "east_lake_finance_bureau_2023_juesuan.txt"
RENAMED_UNIT = "东湖区教育局（清单更名）"  # what a manifest row names the erratum's unit in step 1


def build_rows(home: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(home / "build" / "build.duckdb"), read_only=True) as build:
        return build.execute(sql, params or []).fetchall()


def marts(home: Path) -> dict[str, list[tuple]]:
    return {table: build_rows(home, f"select * from marts.{table} order by all") for table in INCREMENTAL_MARTS}


def refresh(home: Path, inbox: Path, *extra: str) -> str:
    result = fiscal("refresh", "--inbox", str(inbox), *extra, home=home)
    assert result.returncode == 0, result.stdout + result.stderr
    return max((home / "logs").iterdir()).read_text(encoding="utf-8")


def rebuilt_in_full(home: Path, inbox: Path, tmp_path: Path, *extra: str) -> dict[str, list[tuple]]:
    oracle = tmp_path / f"oracle-{len(list(tmp_path.glob('oracle-*')))}"
    shutil.copytree(home, oracle)
    (oracle / "build" / "dbt_marts_inputs.sha").unlink()
    log = refresh(oracle, inbox, "--force", *extra)
    assert "fact marts rebuilt in full" in log
    return marts(oracle)


def document_of(home: Path, file_name: str) -> str:
    return build_rows(home, "select document_id from marts.dim_document where file_name = ?", [file_name])[0][0]


def waiver_lines(document_id: str, table_code: str, rules: list[str]) -> str:
    return "".join(f"  - {{document: {document_id}, rule: {rule}, table: {table_code}, reason: confirmed erratum, "
                   f"approved_by: test, approved_on: 2026-11-30}}\n" for rule in rules)


def error_rules(home: Path, document_id: str, table_code: str) -> list[str]:
    return [rule for (rule,) in build_rows(
        home, "select distinct rule_id from marts.dq_finding where document_id = ? and severity = 'error' "
              "and table_code = ? order by 1", [document_id, table_code])]


def unit_ids(home: Path, document_id: str) -> list[str]:
    return [unit for (unit,) in build_rows(
        home, "select distinct unit_id from marts.fct_fiscal_amount where document_id = ?", [document_id])]


def score_table_statuses(home: Path, document_id: str, table_code: str) -> list[tuple]:
    return build_rows(home, "select distinct publication_status from marts.mart_performance_scores "
                            "where document_id = ? and table_code = ?", [document_id, table_code])


def count(home: Path, table: str, document_id: str) -> int:
    return build_rows(home, f"select count(*) from marts.{table} where document_id = ?", [document_id])[0][0]


def test_fact_marts_follow_versions_holds_and_withdrawals_as_a_full_rebuild_would(refreshed, tmp_path):
    home, inbox = tmp_path / "home", tmp_path / "inbox"
    shutil.copytree(refreshed["home"], home)
    shutil.copytree(refreshed["inbox"], inbox)
    erratum, other = document_of(home, ERRATUM_FILE), document_of(home, OTHER_FILE)
    published_other = count(home, "fct_fiscal_amount", other)
    assert count(home, "fct_fiscal_amount_quarantined", erratum) == 66 and published_other > 100
    rules = error_rules(home, erratum, "GK03")
    assert rules == ["hierarchy_rollup", "row_total"]
    units_before = unit_ids(home, erratum)
    # seed 000 (../shared) holds back its project score table PERF_PROJ_03: its waiver moves the table's rows
    # in mart_performance_scores from held_back to published, and back when it is no longer given
    seed = document_of(home, SEED_000.name) if SEED_000.exists() else None
    seed_rules = error_rules(home, seed, "PERF_PROJ_03") if seed else []
    if seed:
        assert seed_rules and score_table_statuses(home, seed, "PERF_PROJ_03") == [("held_back",)]

    # 1. the other sample published again (two more blank lines: new bytes, the same figures), so its first
    #    version is superseded; the erratum waived, so its 公开03 is no longer held back; the erratum's unit
    #    renamed by a manifest row (no new parse, the same parser version: its rows change all the same)
    (inbox / "east_lake_finance_bureau_2023_juesuan_v2.txt").write_bytes(
        (inbox / OTHER_FILE).read_bytes() + b"\n\n")
    (inbox / "manifest.csv").write_text(f"file,unit,year,kind,source_url\n{ERRATUM_FILE},{RENAMED_UNIT},,,\n",
                                        encoding="utf-8")
    waivers = tmp_path / "waivers.yml"
    waivers.write_text("waivers:\n" + waiver_lines(erratum, "GK03", rules)
                       + (waiver_lines(seed, "PERF_PROJ_03", seed_rules) if seed else ""), encoding="utf-8")
    log = refresh(home, inbox, "--waivers", str(waivers))
    assert "rebuilt in full" not in log
    republished = document_of(home, "east_lake_finance_bureau_2023_juesuan_v2.txt")
    assert count(home, "fct_fiscal_amount", other) == 0
    assert count(home, "fct_fiscal_amount_superseded", other) == published_other
    assert count(home, "fct_fiscal_amount", republished) == published_other
    assert count(home, "fct_fiscal_amount_quarantined", erratum) == 0
    assert build_rows(home, "select count(*) from marts.fct_fiscal_amount where document_id = ? "
                            "and source_table = 'GK03'", [erratum])[0][0] == 66
    renamed = build_rows(home, "select unit_id from marts.dim_unit where unit_name = ?", [RENAMED_UNIT])
    assert len(renamed) == 1 and unit_ids(home, erratum) == [renamed[0][0]] != units_before
    if seed:
        assert score_table_statuses(home, seed, "PERF_PROJ_03") == [("published",)]
    assert marts(home) == rebuilt_in_full(home, inbox, tmp_path, "--waivers", str(waivers))

    # 2. the new version withdrawn: the first is current again, and the waivers no longer given
    withdrawn = fiscal("withdraw", "east_lake_finance_bureau_2023_juesuan_v2.txt", "--reason", "test", home=home)
    assert withdrawn.returncode == 0, withdrawn.stdout + withdrawn.stderr
    refresh(home, inbox)
    assert count(home, "fct_fiscal_amount", other) == published_other
    assert count(home, "fct_fiscal_amount_superseded", other) == 0
    assert count(home, "fct_fiscal_amount", republished) == 0
    assert count(home, "fct_fiscal_amount_quarantined", erratum) == 66
    if seed:
        assert score_table_statuses(home, seed, "PERF_PROJ_03") == [("held_back",)]
    assert marts(home) == rebuilt_in_full(home, inbox, tmp_path)

    # 3. nothing but the manifest's name of the erratum's unit changed: no new bytes, no new parser version, no
    #    hold or version changed, and its rows carry the new unit all the same
    (inbox / "manifest.csv").write_text(f"file,unit,year,kind,source_url\n{ERRATUM_FILE},{RENAMED_UNIT}二,,,\n",
                                        encoding="utf-8")
    refresh(home, inbox)
    renamed = build_rows(home, "select unit_id from marts.dim_unit where unit_name = ?", [RENAMED_UNIT + "二"])
    assert len(renamed) == 1 and unit_ids(home, erratum) == [renamed[0][0]]
    assert marts(home) == rebuilt_in_full(home, inbox, tmp_path)


def test_a_fact_mart_built_without_the_state_column_is_found(tmp_path):
    """An older version of the models (a rollback, a bisect) rebuilds the fact marts as plain tables without
    publication_state and leaves the marts stamp as it was: the next build must rebuild them in full, since
    an incremental build reads the column."""
    from orchestration.assets import _marts_without_state_column
    from orchestration.warehouse import WarehousePaths

    paths = WarehousePaths(tmp_path / "home").ensure()
    paths.build_db.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(paths.build_db)) as build:
        build.execute("create schema marts")
        build.execute("create table marts.fct_fiscal_amount (document_id varchar, amount_wan double)")
        build.execute("create table marts.fct_fiscal_quantity (document_id varchar, publication_state varchar)")
        build.execute("create table marts.dim_unit (unit_id varchar)")  # not incremental: never named
    assert _marts_without_state_column(paths) == ["fct_fiscal_amount"]


# a self-evaluation report of our own with a budget execution table (表5): its rows go to mart_budget_execution
EXECUTION_REPORT = """东湖区文化局（汇总）2021年度部门整体支出绩效自评报告

一、部门基本情况
东湖区文化局负责全区公共文化服务。

表5 2021年东湖区文化局（汇总）预算整体支出情况表
单位：万元
分类\t预算项目\t部门预算指标(万元)\t上年/历年结转(万元)\t追加指标(万元)\t调整指标(万元)\t年度总指标(万元)\t支出数(万元)\t剩余指标(万元)\t执行进度
基本支出\t人员经费\t300.00\t-\t-\t-\t300.00\t290.00\t10.00\t96.67%
基本支出\t公用经费\t50.00\t-\t-\t-\t50.00\t40.00\t10.00\t80.00%
基本支出小计\t\t350.00\t-\t-\t-\t350.00\t330.00\t20.00\t94.29%
项目支出\t图书采购\t100.00\t20.00\t30.00\t-10.00\t140.00\t126.00\t14.00\t90.00%
项目支出小计\t\t100.00\t20.00\t30.00\t-10.00\t140.00\t126.00\t14.00\t90.00%
总计\t\t450.00\t20.00\t30.00\t-10.00\t490.00\t456.00\t34.00\t93.06%

二、绩效目标完成情况
全年预算执行率93.06%。
"""


def test_budget_execution_follows_new_reports_and_unit_names_as_a_full_rebuild_would(tmp_path):
    """mart_budget_execution is incremental by publication state and the unit's name (unit_name_state): a second
    report of the unit adds its rows, a manifest row renaming the first report's unit renames its rows (no new
    bytes, no new parse), and the mart holds what a full rebuild holds."""
    home, inbox = tmp_path / "home", tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "culture_2021.txt").write_text(EXECUTION_REPORT, encoding="utf-8")
    refresh(home, inbox)
    first = document_of(home, "culture_2021.txt")
    (name, adjusted, executed), = build_rows(
        home, "select unit_name, adjusted_wan, executed_wan from marts.mart_budget_execution "
              "where document_id = ? and item = '总计'", [first])
    assert (name, float(adjusted), float(executed)) == ("东湖区文化局(汇总)", 490.0, 456.0)

    (inbox / "culture_2022.txt").write_text(EXECUTION_REPORT.replace("2021", "2022"), encoding="utf-8")
    (inbox / "manifest.csv").write_text("file,unit,year,kind,source_url\nculture_2021.txt,东湖区文化广电局,,,\n",
                                        encoding="utf-8")
    log = refresh(home, inbox)
    assert "rebuilt in full" not in log
    second = document_of(home, "culture_2022.txt")
    assert build_rows(home, "select distinct unit_name from marts.mart_budget_execution where document_id = ?",
                      [first]) == [("东湖区文化广电局",)]
    assert count(home, "mart_budget_execution", second) == count(home, "mart_budget_execution", first) == 6
    assert marts(home) == rebuilt_in_full(home, inbox, tmp_path)
