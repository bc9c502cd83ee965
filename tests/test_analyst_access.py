"""Analysts' access to the published marts: any DuckDB client reads them (1.x storage), no client holding the
file blocks a publish or crashes `fiscal query/status`, `fiscal query` prints NULL as empty and rejects unknown
formats, `fiscal export` round-trips (Parquet, CSV with BOM, XLSX), and no mart has a NULL-typed column."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, fiscal

pytestmark = pytest.mark.e2e

README_QUERY = REPO.joinpath("README.md").read_text(encoding="utf-8").split('fiscal query "', 1)[1].split('"', 1)[0]
# 1.x clients: they read storage versions 64–67/68, never DuckDB 2.0's (the CLI from PyPI's duckdb-cli)
OLD_CLIENTS = ("duckdb==1.4.*", "duckdb-cli==1.5.*")


def test_release_is_written_in_the_storage_every_duckdb_1x_reads(refreshed):
    with duckdb.connect() as con:
        con.execute(f"attach '{refreshed['home'] / 'marts.duckdb'}' as marts (read_only)")
        tags = con.execute("select tags from duckdb_databases() where database_name = 'marts'").fetchone()[0]
    assert tags["storage_version"] == "v1.0.0+"
    header = (refreshed["home"] / "marts.duckdb").read_bytes()[8:20]
    assert header[:4] == b"DUCK" and int.from_bytes(header[4:12], "little") == 64  # DuckDB 1.0's version number


@pytest.fixture(scope="module")
def duckdb_1x(tmp_path_factory) -> Path:
    """A venv with DuckDB 1.x clients: Python duckdb 1.4 and the DuckDB CLI 1.5 (kept in a cache folder;
    skipped where PyPI cannot be reached)."""
    cache = Path(os.environ.get("FISCAL_TEST_CACHE", Path.home() / ".cache" / "fiscal-tests")) / "duckdb-1.x"
    python = cache / "bin" / "python"
    if not (cache / "bin" / "duckdb").exists():
        venv.create(cache, with_pip=True)
        install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", *OLD_CLIENTS],
                                 capture_output=True, text=True, timeout=600)
        if install.returncode != 0:
            shutil.rmtree(cache, ignore_errors=True)
            pytest.skip(f"cannot install {OLD_CLIENTS}: {install.stderr[-300:]}")
    return python


def test_a_duckdb_1x_client_opens_the_marts_read_only_and_runs_the_readme_query(refreshed, duckdb_1x):
    script = ("import duckdb, json, sys\n"
              "con = duckdb.connect(sys.argv[1], read_only=True)\n"
              "rows = con.execute(sys.argv[2]).fetchall()\n"
              "print(json.dumps([duckdb.__version__, [[str(v) for v in row] for row in rows]], ensure_ascii=False))\n")
    result = subprocess.run([str(duckdb_1x), "-c", script, str(refreshed["home"] / "marts.duckdb"), README_QUERY],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    version, rows = __import__("json").loads(result.stdout)
    assert version.startswith("1.4.")
    assert ["示例市东湖区财政局", "2023", "决算", "2923.490000", "2910.990000", "14.420000"] in rows

    cli = subprocess.run([str(duckdb_1x.with_name("duckdb")), "-readonly", str(refreshed["home"] / "marts.duckdb"),
                          "-csv", "-c", README_QUERY], capture_output=True, text=True, timeout=120)
    assert cli.returncode == 0, cli.stderr
    assert "示例市东湖区财政局,2023,决算,2923.490000,2910.990000,14.420000" in cli.stdout.replace('"', "")


HOLDER = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1])  # read-write: the DuckDB CLI's and DBeaver's default
con.execute("select count(*) from fct_fiscal_amount").fetchone()
print("holding", flush=True)
time.sleep(600)
"""


def test_a_read_write_holder_of_the_marts_neither_fails_the_refresh_nor_crashes_query_or_status(tmp_path):
    inbox, home = tmp_path / "inbox", tmp_path / "warehouse"
    inbox.mkdir()
    shutil.copy(REPO / "samples" / "inbox" / "east_lake_finance_bureau_2023_juesuan.txt", inbox)
    first = fiscal("refresh", "--inbox", str(inbox), home=home)
    assert first.returncode == 0, first.stdout + first.stderr
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(home / "marts.duckdb")], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        for args in (["query", "select 1"], ["status"]):
            held = fiscal(*args, home=home)
            assert held.returncode == 1, held.stdout + held.stderr
            assert "Traceback" not in held.stderr
            assert "is locked by" in held.stdout and f"(PID {holder.pid})" in held.stdout, held.stdout

        shutil.copy(REPO / "samples" / "inbox" / "east_lake_education_bureau_2023_juesuan.txt", inbox)
        second = fiscal("refresh", "--inbox", str(inbox), home=home)
        assert second.returncode == 0, second.stdout + second.stderr
        # the new release is readable while the holder still holds the file it opened
        after = fiscal("query", "select count(*) as releases, count(distinct n_documents) as sizes "
                                "from publish_history", "--format", "csv", home=home)
        assert after.returncode == 0, after.stdout + after.stderr
        assert after.stdout.splitlines() == ["releases,sizes", "2,2"]  # history carried on past the lock
        assert fiscal("status", home=home).returncode == 0
    finally:
        holder.kill()
        holder.wait()
    # the file the holder had open is the older release, unchanged for rollback
    assert fiscal("rollback", home=home).returncode == 0
    with duckdb.connect(str(home / "marts.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from dim_document").fetchone()[0] == 1


def test_query_prints_null_as_empty_and_rejects_unknown_formats(refreshed):
    sql = "select 1 as a, null::integer as b, null::varchar as c, 2.50::decimal(10, 2) as d"
    as_csv = fiscal("query", sql, "--format", "csv", home=refreshed["home"])
    assert as_csv.stdout.splitlines() == ["a,b,c,d", "1,,,2.50"]
    as_json = fiscal("query", sql, "--format", "json", home=refreshed["home"])
    assert __import__("json").loads(as_json.stdout) == [{"a": 1, "b": None, "c": None, "d": 2.5}]
    as_table = fiscal("query", sql, home=refreshed["home"])
    assert "nan" not in as_table.stdout and "None" not in as_table.stdout and "2.50" in as_table.stdout
    xml = fiscal("query", "select 1", "--format", "xml", home=refreshed["home"])
    assert xml.returncode == 2 and "xml" in xml.stderr


def test_no_published_column_is_of_type_null(refreshed):
    con = refreshed["con"]
    assert con.execute("select count(*) from dq_finding where waiver_reason is not null").fetchone()[0] == 0
    typed_null = con.execute("select table_name, column_name from information_schema.columns "
                             "where data_type = '\"NULL\"'").fetchall()
    assert typed_null == []
    types = dict(con.execute("select column_name, data_type from information_schema.columns "
                             "where table_name = 'dq_finding'").fetchall())
    assert types["waiver_reason"] == "VARCHAR" and types["row_code"] == "VARCHAR"


def test_export_parquet_reads_back_equal_to_every_mart(refreshed, tmp_path):
    result = fiscal("export", "--to", str(tmp_path), "--format", "parquet", home=refreshed["home"])
    assert result.returncode == 0, result.stdout + result.stderr
    con = refreshed["con"]
    tables = [t for (t,) in con.execute("select table_name from information_schema.tables order by 1").fetchall()]
    assert sorted(p.stem for p in tmp_path.glob("*.parquet")) == tables
    for table in tables:
        path = tmp_path / f"{table}.parquet"
        mart_types = con.execute(f"select column_name, column_type from (describe {table})").fetchall()
        file_types = con.execute(f"select column_name, column_type from (describe select * from '{path}')").fetchall()
        assert file_types == mart_types, table
        n = con.execute(f"select count(*) from {table}").fetchone()[0]
        assert con.execute(f"select count(*) from '{path}'").fetchone()[0] == n
        differing = con.execute(f"select count(*) from ((select * from {table} except all select * from '{path}') "
                                f"union all (select * from '{path}' except all select * from {table}))").fetchone()[0]
        assert differing == 0, table


def test_export_csv_has_a_bom_and_empty_nulls(refreshed, tmp_path):
    result = fiscal("export", "--to", str(tmp_path), "--format", "csv",
                    "--tables", "mart_unit_year_overview,dq_finding", home=refreshed["home"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dq_finding.csv", "mart_unit_year_overview.csv"]
    raw = (tmp_path / "mart_unit_year_overview.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfunit_id,unit_name,")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    finance = next(r for r in rows if r["unit_name"] == "示例市东湖区财政局")
    assert finance["income_total_wan"] == "2923.490000" and finance["phase_name"] == "决算"
    assert finance["three_public_budget_wan"] == "20.000000"  # printed in its 公开07 预算数 column
    findings = list(csv.DictReader(io.StringIO((tmp_path / "dq_finding.csv").read_text(encoding="utf-8-sig"))))
    assert findings and all(f["waiver_reason"] == "" for f in findings)
    assert refreshed["con"].execute("select count(*) from dq_finding").fetchone()[0] == len(findings)


def test_export_xlsx_opens_with_openpyxl_one_sheet_per_mart_with_chinese_headers(refreshed, tmp_path):
    from openpyxl import load_workbook

    tables = ["mart_unit_year_overview", "mart_budget_vs_final", "fct_performance_score_quarantined"]
    result = fiscal("export", "--to", str(tmp_path), "--format", "xlsx", "--tables", ",".join(tables),
                    home=refreshed["home"])
    assert result.returncode == 0, result.stdout + result.stderr
    book = load_workbook(tmp_path / "marts.xlsx", read_only=True)
    # a sheet name holds 31 characters
    assert book.sheetnames == ["mart_unit_year_overview", "mart_budget_vs_final", "fct_performance_score_quarantin",
                               "字段说明"]
    overview = list(book["mart_unit_year_overview"].iter_rows(values_only=True))
    assert overview[0][:5] == ("单位键", "单位名称", "地区", "年度", "阶段")
    assert "本年收入合计(万元)" in overview[0]
    n = refreshed["con"].execute("select count(*) from mart_unit_year_overview").fetchone()[0]
    assert len(overview) == n + 1
    income = overview[0].index("本年收入合计(万元)")
    assert 2923.49 in [float(row[income]) for row in overview[1:] if row[income] is not None]
    about = list(book["字段说明"].iter_rows(values_only=True))
    assert ("mart_unit_year_overview", "mart_unit_year_overview", "income_total_wan", "本年收入合计(万元)") in [
        row[:4] for row in about]


def test_export_rejects_unknown_tables_and_formats(refreshed, tmp_path):
    unknown = fiscal("export", "--to", str(tmp_path), "--tables", "no_such_mart", home=refreshed["home"])
    assert unknown.returncode == 2 and "no_such_mart" in unknown.stdout
    xml = fiscal("export", "--to", str(tmp_path), "--format", "xml", home=refreshed["home"])
    assert xml.returncode == 2
    assert list(tmp_path.iterdir()) == []
