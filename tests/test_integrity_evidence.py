"""Integrity evidence people can use (issue 16): every catalog rule is a Dagster asset check on the asset it
guards, Great Expectations validates rows that carry their identity, Data Docs open offline and last while a
finding links to them, `fiscal refresh` records its runs in the warehouse's Dagster instance, a refresh with
nothing new publishes nothing, and dbt's target folders and the logs stay bounded."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dagster import AssetCheckKey, AssetCheckSeverity, AssetKey, DagsterEventType, DagsterInstance

from expectations import data_docs
from expectations.catalog import CATALOG_PATH, render_markdown, rules
from orchestration.housekeeping import prune_dbt_targets, prune_logs
from tests.conftest import REPO, fiscal

ERRATUM = "east_lake_education_bureau_2023_juesuan.txt"


# --- one declaration -------------------------------------------------------------------------------------------

def test_catalog_markdown_and_asset_checks_are_generated_from_one_declaration():
    from orchestration.definitions import defs
    from orchestration.integrity_checks import check_specs, integrity_rules

    assert CATALOG_PATH.with_name("CATALOG.md").read_text(encoding="utf-8") == render_markdown()
    specs = {spec.name: spec for spec in check_specs()}
    assert set(specs) == set(rules()) and len(specs) == 37
    for rule in rules().values():
        spec = specs[rule.rule_id]
        assert spec.asset_key == AssetKey(rule.guards.split("/"))
        assert rule.formula in spec.description and rule.severity in spec.description
        assert f"`{rule.guards}`" in render_markdown().split(f"`{rule.rule_id}`")[1].split("\n")[0]
    # every check is defined in the code location, on an asset the job builds
    graph = defs.resolve_asset_graph()
    assert {key.name for key in integrity_rules.check_keys} == set(rules())
    assert all(key.asset_key in graph.materializable_asset_keys for key in integrity_rules.check_keys)
    assert rules()["row_total"].guards == "marts/fct_fiscal_amount"
    assert rules()["score_total"].guards == "marts/fct_performance_score"
    assert rules()["narrative_figure_parts_sum"].guards == "marts/fct_narrative_figure"


def _findings_database(tmp_path, findings: list[dict], current: dict[str, bool]):
    """A build database holding ``findings`` as marts.dq_finding, and documents current or not."""
    build, raw = tmp_path / "build.duckdb", tmp_path / "raw.duckdb"
    duckdb.connect(str(raw)).close()
    frame = pd.DataFrame(findings)  # noqa: F841 (read by DuckDB)
    documents = pd.DataFrame({"document_id": list(current), "is_current_version": list(current.values())})  # noqa: F841
    with duckdb.connect(str(build)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.dq_finding as select * from frame")
        con.execute("create table marts.dim_document as select * from documents")
    return build, raw


def test_check_result_severity_counts_and_offending_rows(tmp_path):
    from orchestration.integrity_checks import TOP_ROWS, check_result, current_findings

    row = {"rule_id": "row_total", "severity": "error", "waived": False, "document_id": "d1", "unit_name": "某局",
           "file_name": "a.txt", "fiscal_year": 2023, "table_code": "GK03", "row_code": "2050202",
           "row_label": "小学教育", "column_path": "本年支出合计", "line_no": 74, "page_no": None, "actual": 12515.62,
           "expected": 12505.62, "tolerance": 0.03, "origin": "source",
           "data_docs_page": "file:///x/runs/20261201T060923214961Z-516496/row_total.html",
           "message": "row_total breach"}
    waived = {**row, "waived": True, "row_code": "2050203"}
    older = {**row, "file_name": "b.txt", "document_id": "d2", "line_no": 9, "origin": "reader",
             "data_docs_page": "file:///x/runs/20261130T010000000000Z-0a0a0a/row_total.html"}
    superseded = {**row, "document_id": "d0"}  # an earlier version of the report: not counted
    many = [{**row, "rule_id": "narrative_amount", "severity": "warning", "line_no": n, "message": f"m{n}"}
            for n in range(TOP_ROWS + 5, 0, -1)]
    build, raw = _findings_database(tmp_path, [row, waived, older, superseded, *many],
                                    {"d0": False, "d1": True, "d2": True})
    counts, top = current_findings(build, raw)

    failed = check_result(rules()["row_total"], counts["row_total"], top[top["rule_id"] == "row_total"])
    assert (failed.passed, failed.severity) == (False, AssetCheckSeverity.ERROR)
    values = {key: failed.metadata[key].value for key in ("failing", "waived", "tables_held_back", "documents",
                                                          "of_source", "of_reader")}
    assert values == {"failing": 2, "waived": 1, "tables_held_back": 2, "documents": 2, "of_source": 1,
                      "of_reader": 1}
    assert failed.metadata["offending_rows_json"].value[0] == {
        "unit_name": "某局", "file_name": "a.txt", "fiscal_year": 2023, "table_code": "GK03", "row_code": "2050202",
        "row_label": "小学教育", "column_path": "本年支出合计", "line_no": 74, "page_no": None, "actual": 12515.62,
        "expected": 12505.62, "tolerance": 0.03}
    assert [r["file_name"] for r in failed.metadata["offending_rows_json"].value] == ["a.txt", "b.txt"]
    assert "| 某局 | a.txt | 2023 | GK03 | 2050202 | 小学教育 | 本年支出合计 | 74 | 12,515.62 | 12,505.62 | 0.03 |" in \
        failed.metadata["offending_rows"].value
    # the newest run's page
    assert failed.metadata["data_docs"].value == "file:///x/runs/20261201T060923214961Z-516496/row_total.html"
    assert failed.description == "row_total breach"

    warning = check_result(rules()["narrative_amount"], counts["narrative_amount"],
                           top[top["rule_id"] == "narrative_amount"])
    assert (warning.passed, warning.severity) == (False, AssetCheckSeverity.WARN)
    assert warning.metadata["tables_held_back"].value == 0 and warning.metadata["failing"].value == TOP_ROWS + 5
    # the first rows in line order, however many findings the rule has
    assert [r["line_no"] for r in warning.metadata["offending_rows_json"].value] == list(range(1, TOP_ROWS + 1))
    assert warning.description == "m1"

    (tmp_path / "waived").mkdir()
    build, raw = _findings_database(tmp_path / "waived", [waived], {"d1": True})
    counts, top = current_findings(build, raw)
    only_waived = check_result(rules()["row_total"], counts["row_total"], top[top["rule_id"] == "row_total"])
    assert only_waived.passed and only_waived.metadata["waived"].value == 1
    # a finding without a table (a document-wide one) is its own scope; one without a page links none
    (tmp_path / "nulls").mkdir()
    no_table = {**row, "table_code": None, "data_docs_page": None}
    build, raw = _findings_database(tmp_path / "nulls", [row, no_table, {**no_table, "line_no": 75}], {"d1": True})
    counts, _ = current_findings(build, raw)
    assert (counts["row_total"]["failing"], counts["row_total"]["tables_held_back"]) == (3, 2)
    clean = check_result(rules()["row_total"], {}, top.iloc[0:0])
    assert clean.passed and clean.metadata["failing"].value == 0 and "data_docs" not in clean.metadata


# --- GX over identity rows, Data Docs offline and lasting -----------------------------------------------------

def _comparison(**values) -> dict:
    return {"rule_id": "row_total", "document_id": "doc1", "table_code": "GK03", "side": "", "row_code": "2050202",
            "row_label": "小学教育", "column_path": "本年支出合计", "line_no": 74, "actual": 12515.62,
            "expected": 12505.62, "n_addends": 5, "tolerance": 0.03, "addends": "基本支出+项目支出", **values}


def test_gx_result_and_data_docs_name_the_failing_cell(tmp_path):
    from expectations.suite import evaluate

    comparisons = pd.DataFrame([_comparison(), _comparison(row_code="2050203", actual=100.01, expected=100.0)])
    documents = pd.DataFrame([{"document_id": "doc1", "file_name": "edu.txt", "unit_name": "示例教育局",
                               "fiscal_year": 2023}])
    found = evaluate(comparisons, tmp_path, documents)
    assert found.set_index("row_code")["severity"].to_dict() == {"2050202": "error", "2050203": "info"}
    page = Path(found["data_docs_page"].iloc[0].removeprefix("file://"))
    assert page.parent.parent == tmp_path / "runs" and page.name == "row_total.html"
    text = page.read_text(encoding="utf-8")
    for cell in ("edu.txt", "示例教育局", "2023", "GK03", "2050202", "小学教育", "本年支出合计", "12515.62",
                 "12505.62"):
        assert cell in text
    assert "2050203" not in text  # inside the tolerance: not an unexpected row of GX's result
    for remote in ('src="http', "src='http", 'href="https://cdn', "unpkg.com", "bootstrapcdn", "jquery"):
        assert remote not in text
    assert 'href="../../static/offline.css"' in text and (tmp_path / "static" / "offline.css").exists()
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert f"runs/{page.parent.name}/row_total.html" in index and "<script" not in index


def test_offline_removes_every_remote_resource_and_keeps_content():
    page = ("<html><head><link rel='stylesheet' href='https://maxcdn.bootstrapcdn.com/b.css'>"
            "<script src='https://code.jquery.com/jquery.js'></script><script>$(function(){})</script>"
            "<style>@import url(https://fonts.example/x.css);</style></head><body>"
            "<img src='https://s3.example/logo.png'><a href='../../../../index.html'>Home</a>"
            "<table><tr><td>GK03</td><td>12515.62</td></tr></table></body></html>")
    text = data_docs.offline(page, "../../static/offline.css")
    assert "http" not in text.replace('href="../../index.html"', "")
    assert "<td>GK03</td><td>12515.62</td>" in text and 'href="../../index.html"' in text
    assert '<link rel="stylesheet" href="../../static/offline.css">' in text


def test_data_docs_pruning_keeps_every_linked_page(tmp_path):
    for name in ("20260101T000000Z-a", "20260102T000000Z-b", "20260103T000000Z-c", "20260104T000000Z-d"):
        (tmp_path / "runs" / name).mkdir(parents=True)
        (tmp_path / "runs" / name / "row_total.html").write_text("x", encoding="utf-8")
        (tmp_path / "runs" / name / "run.json").write_text(
            f'{{"refresh": "{name}", "rules": [{{"rule_id": "row_total", "page": "row_total.html", "rows": 1, '
            f'"failing": 1}}]}}', encoding="utf-8")
    linked = {(tmp_path / "runs" / "20260101T000000Z-a" / "row_total.html").as_uri()}
    removed = data_docs.prune(tmp_path, linked, keep=1)
    assert sorted(removed) == ["20260102T000000Z-b", "20260103T000000Z-c"]
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["20260101T000000Z-a", "20260104T000000Z-d"]
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "20260101T000000Z-a" in index and "20260102T000000Z-b" not in index


# --- bounded housekeeping --------------------------------------------------------------------------------------

def test_dbt_target_folders_and_logs_stay_bounded_over_30_refreshes(tmp_path):
    target, logs = tmp_path / "target", tmp_path / "logs"
    target.mkdir()
    logs.mkdir()
    (target / "manifest.json").write_text("{}")
    (target / "partial_parse.msgpack").write_bytes(b"x")
    (target / "local").mkdir()  # a target's own manifest folder stays
    start = time.time() - 10_000
    for refresh in range(30):
        for op in ("dbt_staging_intermediate", "dbt_marts"):
            folder = target / f"{op}-{refresh:04d}"
            folder.mkdir()
            (folder / "run_results.json").write_text("{}")
            os.utime(folder, (start + refresh * 10, start + refresh * 10))
        log = logs / f"refresh-{refresh:04d}.log"
        log.write_text("log")
        os.utime(log, (start + refresh * 10, start + refresh * 10))
        prune_dbt_targets(target, keep=6)
        prune_logs(logs, keep=5)
        assert len([p for p in target.iterdir() if p.is_dir() and "-" in p.name]) <= 6
        assert len(list(logs.iterdir())) <= 5
    assert sorted(p.name for p in target.iterdir()) == [
        "dbt_marts-0027", "dbt_marts-0028", "dbt_marts-0029", "dbt_staging_intermediate-0027",
        "dbt_staging_intermediate-0028", "dbt_staging_intermediate-0029", "local", "manifest.json",
        "partial_parse.msgpack"]
    assert sorted(p.name for p in logs.iterdir()) == [f"refresh-{n:04d}.log" for n in range(25, 30)]


# --- end to end on the bundled samples -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def three_refreshes(tmp_path_factory):
    """The bundled samples refreshed, refreshed again unchanged, then with a re-published (changed) version of
    the report with the wrong 公开03 figure; Data Docs pages not linked are pruned at once."""
    inbox = tmp_path_factory.mktemp("inbox")
    home = tmp_path_factory.mktemp("warehouse")
    for sample in (REPO / "samples" / "inbox").iterdir():
        shutil.copy(sample, inbox / sample.name)
    os.environ["FISCAL_KEEP_DATA_DOCS"] = "0"
    try:
        runs = [fiscal("refresh", "--inbox", str(inbox), home=home)]
        snapshot = {"findings": _findings(home),
                    "releases": sorted(p.name for p in (home / "releases").glob("*.duckdb"))}
        # --force: the job runs although no input changed; the release fingerprint then publishes nothing
        runs.append(fiscal("refresh", "--inbox", str(inbox), "--force", home=home))
        text = (inbox / ERRATUM).read_text(encoding="utf-8")
        (inbox / f"corrected_{ERRATUM}").write_text(text + "\n", encoding="utf-8")
        runs.append(fiscal("refresh", "--inbox", str(inbox), home=home))
    finally:
        os.environ.pop("FISCAL_KEEP_DATA_DOCS", None)
    for run in runs:
        assert run.returncode == 0, run.stdout + run.stderr
    return {"home": home, "runs": runs, "first": snapshot}


def _findings(home: Path) -> pd.DataFrame:
    with duckdb.connect(str(home / "marts.duckdb"), read_only=True) as con:
        return con.sql("select rule_id, row_code, file_name, data_docs_page from dq_finding").df()


def _instance(home: Path):
    from orchestration.runner import open_instance

    return open_instance(home / "dagster_home")


def _stock_instance(home: Path):
    """The instance as the webserver and daemon open it (dagster.yaml alone, Dagster's own SQLite storage)."""
    from dagster._core.instance.ref import InstanceRef

    return DagsterInstance.from_ref(InstanceRef.from_dir(str(home / "dagster_home")))


@pytest.mark.e2e
def test_held_back_table_shows_failed_checks_naming_the_row(three_refreshes):
    home = three_refreshes["home"]
    first = three_refreshes["runs"][0]
    assert "✗ check row_total on marts/fct_fiscal_amount: 1 failing (ERROR)" in first.stdout
    assert "✗ check hierarchy_rollup on marts/fct_fiscal_amount: 1 failing (ERROR)" in first.stdout
    with _instance(home) as instance:
        runs = instance.get_runs()
        assert len(runs) == 3 and all(run.job_name == "nightly_refresh" for run in runs)  # every CLI run recorded
        first_run = runs[-1].run_id
        records = instance.event_log_storage.get_asset_check_execution_history(
            AssetCheckKey(AssetKey(["marts", "fct_fiscal_amount"]), "row_total"), limit=5)
        evaluation = next(r.evaluation for r in records if r.run_id == first_run)
        assert not evaluation.passed and evaluation.severity == AssetCheckSeverity.ERROR
        assert evaluation.metadata["failing"].value == 1 and evaluation.metadata["tables_held_back"].value == 1
        offending = evaluation.metadata["offending_rows_json"].value
        assert [(r["unit_name"], r["file_name"], r["table_code"], r["row_code"], r["column_path"], r["actual"],
                 r["expected"]) for r in offending] == [
            ("示例市东湖区教育局(汇总)", ERRATUM, "GK03", "2050202", "本年支出合计", 12515.62, 12505.62)]
        page = Path(evaluation.metadata["data_docs"].value.removeprefix("file://"))
        assert "2050202" in page.read_text(encoding="utf-8")
        passed = instance.event_log_storage.get_asset_check_execution_history(
            AssetCheckKey(AssetKey(["marts", "fct_fiscal_amount"]), "column_total"), limit=5)
        assert next(r.evaluation for r in passed if r.run_id == first_run).passed
        # every rule was evaluated in the run, on the asset it guards
        evaluations = instance.get_records_for_run(
            first_run, of_type=DagsterEventType.ASSET_CHECK_EVALUATION, limit=1000).records
        checked = {r.event_log_entry.dagster_event.event_specific_data.check_name for r in evaluations}
        assert set(rules()) <= checked
        failed = {r.event_log_entry.dagster_event.event_specific_data.check_name for r in evaluations
                  if not r.event_log_entry.dagster_event.event_specific_data.passed}
        assert failed == {"row_total", "hierarchy_rollup"}


@pytest.mark.e2e
def test_dbt_assets_carry_row_counts_and_column_types(three_refreshes):
    home = three_refreshes["home"]
    # what the refresh wrote through its kept connections (orchestration/event_log_storage.py) is what the
    # webserver reads with Dagster's own storage class
    with _stock_instance(home) as instance:
        assert type(instance.event_log_storage).__name__ == "SqliteEventLogStorage"
        assert len(instance.get_runs()) == 3
        event = instance.get_latest_materialization_event(AssetKey(["marts", "fct_fiscal_amount"]))
        metadata = event.asset_materialization.metadata
        with duckdb.connect(str(home / "marts.duckdb"), read_only=True) as con:
            published = con.execute("select count(*) from fct_fiscal_amount").fetchone()[0]
            types = dict(con.execute("select column_name, data_type from information_schema.columns "
                                     "where table_name = 'fct_fiscal_amount'").fetchall())
        assert metadata["dagster/row_count"].value == published > 0
        schema = {column.name: column.type for column in metadata["dagster/column_schema"].schema.columns}
        assert schema == types and schema["amount_wan"].startswith("DECIMAL")


@pytest.mark.e2e
def test_refresh_with_nothing_new_publishes_no_release(three_refreshes):
    home = three_refreshes["home"]
    second = three_refreshes["runs"][1]
    assert "Nothing new: the marts equal release" in second.stdout
    releases = sorted(p.name for p in (home / "releases").glob("*.duckdb"))
    assert releases[:1] == three_refreshes["first"]["releases"] and len(releases) == 2  # the third one is new
    with duckdb.connect(str(home / "marts.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from publish_history").fetchone()[0] == 2


@pytest.mark.e2e
def test_every_data_docs_page_of_dq_finding_exists_after_three_refreshes(three_refreshes):
    home = three_refreshes["home"]
    first = three_refreshes["first"]["findings"]
    assert set(first["rule_id"]) == {"row_total", "hierarchy_rollup"}
    findings = _findings(home)
    pages = findings["data_docs_page"].dropna()
    assert len(findings) == 4 and len(pages) == 4  # the superseded version's two and the new version's two
    folders = {Path(p.removeprefix("file://")).parent for p in pages}
    assert len(folders) == 2  # findings of the first and of the third refresh
    assert all(Path(p.removeprefix("file://")).exists() for p in pages)
    assert set(first["data_docs_page"]) <= set(pages)  # the first refresh's links still open
    # nothing unlinked is kept (FISCAL_KEEP_DATA_DOCS=0 in the fixture)
    assert {f for f in (home / "data_docs" / "runs").iterdir()} == folders
    # dagster-dbt's per-call target folders stay bounded
    target = REPO / "dbt_project" / "target"
    # (refreshes running in other pytest-xdist workers meanwhile may each hold their two dbt calls' folders)
    others = 2 * (int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) - 1)
    assert len([p for p in target.iterdir() if p.is_dir() and "-" in p.name]) <= 6 + others  # not the manifests


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.e2e
@pytest.mark.skipif(CHROMIUM is None, reason="no headless chromium installed")
def test_data_docs_page_renders_offline_in_headless_chromium(three_refreshes, tmp_path):
    """The rule's page, opened by a real browser with every network request sent to a dead proxy, shows the
    offending row (DOM) and renders (screenshot)."""
    page = next(p for p in _findings(three_refreshes["home"]).query("rule_id == 'row_total'")["data_docs_page"])
    offline = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--proxy-server=127.0.0.1:9",
               "--proxy-bypass-list=<-loopback>", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*offline, "--dump-dom", page], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr
    for cell in (ERRATUM, "示例市东湖区教育局(汇总)", "GK03", "2050202", "本年支出合计", "12515.62", "12505.62"):
        assert cell in dom.stdout
    shot = tmp_path / "row_total.png"
    subprocess.run([*offline, f"--screenshot={shot}", "--window-size=1280,2000", page], capture_output=True,
                   timeout=120)
    assert shot.exists() and shot.stat().st_size > 10_000
