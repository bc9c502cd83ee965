"""The whole nightly job through the `fiscal` command: ingest, dbt, GX audit, quarantine, publish."""

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.conftest import REPO, SEED_000, fiscal  # noqa: F401 (fiscal: imported from here by other tests)

pytestmark = pytest.mark.e2e
# the standard tables 公开01–08; seed 000 also prints a per-subunit 三公 table (SANGONG_UNITS, 60 cells)
GK_FACTS = "select count(*) from fct_fiscal_amount where document_id = ? and source_table like 'GK%'"
ALTERED = ("2012602\t一般行政管理事务\t108.34\t108.34", "2012602\t一般行政管理事务\t118.34\t118.34")


def refresh_copies(tmp_path_factory, files, name: str) -> Path:
    """Copy ``files`` into a fresh inbox, run `fiscal refresh` on it (asserting success), return the home."""
    inbox = tmp_path_factory.mktemp(name)
    for path in files:
        shutil.copy(path, inbox / path.name)
    home = tmp_path_factory.mktemp("warehouse")
    result = fiscal("refresh", "--inbox", str(inbox), home=home)
    assert result.returncode == 0, result.stdout + result.stderr
    return home


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one(con, sql, *params):
    return con.execute(sql, list(params)).fetchone()[0]


def test_refresh_prints_where_marts_are_and_the_query_works(refreshed):
    stdout = refreshed["stdout"]
    assert f"Published marts: {refreshed['home'] / 'marts.duckdb'}" in stdout
    query = stdout.split(' query "', 1)[1].split('"', 1)[0]
    result = fiscal("query", query, "--format", "csv", home=refreshed["home"])
    assert result.returncode == 0, result.stderr
    assert "示例市东湖区财政局,2023,决算,2923.490000,2910.990000,14.420000" in result.stdout


def test_the_refresh_ends_with_all_its_output_and_nothing_on_stderr(refreshed):
    """``fiscal`` ends without the interpreter's teardown (orchestration.cli.main): what it printed last is there,
    its log is complete, and nothing is left for the resource tracker to warn of (its worker pools' semaphores)."""
    assert refreshed["stdout"].rstrip().endswith(f"--home {refreshed['home']}")  # the "Try:" line, printed last
    assert refreshed["stderr"] == ""
    (log,) = (refreshed["home"] / "logs").glob("refresh-*.log")
    assert "RUN_SUCCESS" in log.read_text(encoding="utf-8")


def test_unreadable_files_are_quarantined_with_reasons(refreshed):
    reasons = dict(refreshed["con"].execute(
        "select file_name, parse_reason from dim_document where parse_status = 'quarantined'").fetchall())
    assert reasons["empty.txt"] == "empty.txt: empty file (0 bytes), expected report text"
    # a damaged PDF: pdfplumber cannot open it, the reason says so
    assert reasons["scan.pdf"].startswith("scan.pdf: not a readable PDF (PdfminerException: No /Root object!")
    assert reasons["memo.txt"].startswith("memo.txt: no recognisable standard table")
    assert "document quarantined empty.txt: empty file" in refreshed["stdout"]


def test_sample_erratum_quarantines_only_its_table(refreshed):
    con = refreshed["con"]
    status = dict(con.execute(
        "select t.table_code, t.publication_status from dim_report_table t join dim_document d using (document_id) "
        "where d.file_name = 'east_lake_education_bureau_2023_juesuan.txt'").fetchall())
    assert status["GK03"] == "quarantined"
    assert {k: v for k, v in status.items() if k != "GK03"} == {
        "GK01": "published", "GK02": "published", "GK04": "published", "GK05": "published",
        "GK06": "published", "GK07": "published", "GK08": "empty"}
    finding = con.execute(
        "select expected, actual, severity, data_docs_page from dq_finding "
        "where rule_id = 'row_total' and row_code = '2050202'").fetchone()
    assert finding[:3] == (12505.62, 12515.62, "error")
    page = Path(finding[3].removeprefix("file://"))  # the GX Data Docs page of this rule's validation
    assert page.is_relative_to(refreshed["home"] / "data_docs") and page.exists()
    assert "row_total" in page.read_text(encoding="utf-8")
    assert f"Data Docs (integrity suites): {refreshed['home'] / 'data_docs' / 'index.html'}" in refreshed["stdout"]
    clean = one(con, "select count(*) from dq_finding f join dim_document d using (document_id) "
                     "where d.file_name = 'east_lake_finance_bureau_2023_juesuan.txt'")
    assert clean == 0


def test_seed_000_published_to_the_cent(refreshed):
    if not SEED_000.exists():
        pytest.skip("real corpus not available")
    con, doc = refreshed["con"], sha256(SEED_000)
    facts = "select amount_wan::double from fct_fiscal_amount where document_id = ? and "
    assert one(con, facts + "source_table = 'GK01' and side = 'income' and line_item = '总计'", doc) == 10233.80
    assert one(con, facts + "source_table = 'GK07' and phase_code = 'executed' and indicator_name = '三公经费合计'",
               doc) == 29.24
    assert one(con, facts + "source_table = 'GK07' and phase_code = 'approved' and indicator_name = '三公经费合计'",
               doc) == 61.30
    assert one(con, facts + "source_table = 'GK02' and classification_code = '2010301' "
                            "and indicator_name = '本年收入合计'", doc) == 1166.00
    assert one(con, GK_FACTS, doc) == 455
    assert one(con, "select count(*) from fct_fiscal_amount where document_id = ? and source_table = "
                    "'SANGONG_UNITS'", doc) == 60
    assert one(con, "select count(*) from fct_fiscal_amount_quarantined where document_id = ?", doc) == 0
    # seed 000's tables differ from their sums by rounding only (info); its narrative has four genuine slips
    # the only errors are the source's own in two project score tables (totals 97 and 98 printed, 96 and 97
    # summed; 项目产出 weight 30 over children of 29); the 公开 tables have none
    errors = con.execute("select table_code, rule_id, actual, expected from dq_finding where document_id = ? "
                         "and severity = 'error' order by 1, 2", [doc]).fetchall()
    assert errors == [("PERF_PROJ_03", "score_total", 97.0, 96.0), ("PERF_PROJ_03", "score_weight_rollup", 30.0, 29.0),
                      ("PERF_PROJ_04", "score_total", 98.0, 97.0), ("PERF_PROJ_04", "score_weight_rollup", 30.0, 29.0)]
    warnings = con.execute(
        "select rule_id, line_no, actual, expected from dq_finding where document_id = ? and severity = 'warning' "
        "order by line_no, rule_id", [doc]).fetchall()
    assert warnings == [
        ("narrative_change_rate", 310, 13.66, 14.16),     # 本年收入减少 1,674.09 万元，减少 13.66%
        ("narrative_change_rate", 310, 13.69, 14.18),     # 本年支出减少 1,678.53 万元，减少 13.69%
        ("narrative_amount", 368, 0.0, 1.26),             # 公务接待费 决算支出数为 0.00 万元 (公开07: 1.26)
        ("narrative_change_amount", 1579, 32.06, -32.06),  # 较预算 61.30 万元“增加了” 32.06 万元
    ]
    overview = con.execute(
        "select unit_name, region, fiscal_year, income_total_wan::double, expenditure_total_wan::double, "
        "carry_over_end_wan::double, basic_expenditure_wan::double, three_public_final_wan::double "
        "from mart_unit_year_overview where document_id = ?", [doc]).fetchone()
    assert overview == ("深圳市福田区委区政府办公室(汇总)", "深圳市福田区", 2018,
                        10152.21, 10161.57, 72.23, 2206.05, 29.24)
    provenance = con.execute(
        "select source_file, source_row_label, source_column, source_line, source_value_text from fct_fiscal_amount "
        "where document_id = ? and source_table = 'GK06' and classification_code = '30102'", [doc]).fetchone()
    assert provenance == (SEED_000.name, "津贴补贴", "决算数", 240, "866.81")  # grep -n 866.81 seed: line 240


def parsed_at(home: Path) -> dict:
    with duckdb.connect(str(home / "raw.duckdb"), read_only=True) as raw:
        return dict(raw.execute("select content_hash, parsed_at from documents").fetchall())


def test_rerun_then_corrected_version_then_rollback(refreshed_to_change):
    """One scenario on one warehouse, in order: nothing new; an altered re-publication (kept out, then let in by
    a waiver); rollback."""
    home, inbox, old_reader = refreshed_to_change["home"], refreshed_to_change["inbox"], refreshed_to_change["con"]
    before = parsed_at(home)
    first_release = one(old_reader, "select release_id from publish_history")

    # 1. nothing changed: nothing is parsed again, and no release is published (the marts equal the current one)
    result = fiscal("refresh", "--inbox", str(inbox), home=home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert parsed_at(home) == before
    assert "Nothing new: the inbox, waivers, code and settings are as at the refresh of" in result.stdout
    assert f"the marts equal release {first_release}, which stays published" in result.stdout
    assert sorted(p.stem for p in (home / "releases").glob("*.duckdb")) == [first_release]

    if SEED_000.exists():
        # 2. a newer copy of seed 000 with one amount changed (a byte flip: same tables, same amounts, every row
        #    read): only it is parsed; its GK02 no longer adds up where the original's does, so it reads worse
        #    and does NOT supersede the complete original, which stays published; both stay visible
        text = SEED_000.read_text(encoding="utf-8")
        assert text.count(ALTERED[0]) == 1
        altered = inbox / "seed000_altered.txt"
        altered.write_text(text.replace(*ALTERED), encoding="utf-8")
        result = fiscal("refresh", "--inbox", str(inbox), home=home)
        assert result.returncode == 0, result.stdout + result.stderr
        # the reader opened before the publish keeps its own complete version ...
        assert one(old_reader, "select count(*) from publish_history") == 1
        # ... and sees the new one on reconnect (DuckDB shares one instance per path in a process: close first)
        old_reader.close()
        with duckdb.connect(str(home / "marts.duckdb"), read_only=True) as con:
            assert one(con, "select count(*) from publish_history") == 2
        after = parsed_at(home)
        assert {h: t for h, t in after.items() if h in before} == before
        doc, original = sha256(altered), sha256(SEED_000)
        assert set(after) - set(before) == {doc}
        assert "table quarantined seed000_altered.txt GK02" in result.stdout
        assert "newer version not published" in result.stdout and "GK02 held back by hierarchy_rollup" in result.stdout
        with duckdb.connect(str(home / "marts.duckdb"), read_only=True) as con:
            versions = con.execute("select document_id, version_number, is_current, superseded_by, reads_worse_reason "
                                   "from report_version where fiscal_year = 2018 order by version_number").fetchall()
            assert versions == [
                (doc, 1, False, original,
                 f"reads worse: GK02 held back by hierarchy_rollup where version {original[:12]} passes"),
                (original, 2, True, None, None)]
            quarantined = con.execute("select table_code from dim_report_table where document_id = ? "
                                      "and publication_status = 'quarantined'", [doc]).fetchall()
            assert quarantined == [("GK02",)]
            assert one(con, GK_FACTS, doc) == 0
            assert one(con, GK_FACTS, original) == 455  # every 公开 cell of the original, as before the copy
            assert one(con, "select count(*) from fct_fiscal_amount_quarantined where document_id = ?", doc) == 140
            finding = con.execute(
                "select table_code, row_code, column_path, expected, actual, severity, file_name, unit_name, "
                "fiscal_year from dq_finding where document_id = ? and rule_id = 'hierarchy_rollup' "
                "and column_path = '财政拨款收入'", [doc]).fetchone()
            assert finding == ("GK02", "20126", "财政拨款收入", 974.46, 964.45, "error", "seed000_altered.txt",
                               "深圳市福田区委区政府办公室(汇总)", 2018)
            total = "select amount_wan::double from fct_fiscal_amount where document_id = ? and source_table = 'GK01' "
            assert one(con, total + "and side = 'income' and line_item = '总计'", original) == 10233.80

        # 2b. a maintainer's say: the copy's findings waived (a confirmed correction), it supersedes the original
        waivers = home.parent / "waivers.yml"
        waivers.write_text(yaml.safe_dump({"waivers": [
            {"document": doc[:16], "rule": "hierarchy_rollup", "table": "GK02", "reason": "confirmed re-publication",
             "approved_by": "maintainer@example.org", "approved_on": "2026-11-30"}]}, allow_unicode=True),
            encoding="utf-8")
        result = fiscal("refresh", "--inbox", str(inbox), "--waivers", str(waivers), home=home)
        assert result.returncode == 0, result.stdout + result.stderr
        with duckdb.connect(str(home / "marts.duckdb"), read_only=True) as con:
            versions = con.execute("select document_id, version_number, is_current, superseded_by from report_version "
                                   "where fiscal_year = 2018 order by version_number").fetchall()
            assert versions == [(original, 1, False, doc), (doc, 2, True, None)]
            assert one(con, GK_FACTS, doc) == 455 and one(con, GK_FACTS, original) == 0
            assert {row[0] for row in con.execute("select publication_status from dim_report_table "
                                                  "where document_id = ?", [original]).fetchall()} == {
                "superseded", "empty"}
            changed = ("select amount_wan::double from fct_fiscal_amount where document_id = ? and source_table = "
                       "'GK02' and classification_code = '2012602' and source_column = '本年收入合计'")
            assert one(con, changed, doc) == 118.34
            second_release = one(con, "select release_id from publish_history order by published_at desc limit 1 "
                                      "offset 1")

    # 3. rollback publishes the release before the current one again (without seed 000 there is none)
    rolled = fiscal("rollback", home=home)
    if not SEED_000.exists():
        assert rolled.returncode == 1 and "no release older than" in rolled.stdout
        return
    assert rolled.returncode == 0, rolled.stdout
    expected = second_release
    assert expected in rolled.stdout
    with duckdb.connect(str(home / "marts.duckdb"), read_only=True) as con:
        assert one(con, "select release_id from publish_history order by published_at desc limit 1") == expected
    status = fiscal("status", home=home)
    assert status.returncode == 0 and f"Published release {expected}" in status.stdout


def test_every_built_column_is_documented(refreshed):
    """The relations dbt built in this refresh have exactly the columns their yml documents."""
    from tests.test_dbt_docs import documented

    docs = documented()
    home = refreshed["home"]
    with duckdb.connect(str(home / "build" / "build.duckdb"), read_only=True) as con:
        con.execute(f"attach '{home / 'raw.duckdb'}' as raw (read_only)")
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables where table_catalog = 'build' "
            "and table_schema in ('staging', 'intermediate', 'marts')").fetchall()
        assert len(relations) == len(docs)
        for schema, name in relations:
            built = [row[0] for row in con.execute(f"describe {schema}.{name}").fetchall()]
            assert set(built) == {c["name"] for c in docs[name]["columns"]}, name
