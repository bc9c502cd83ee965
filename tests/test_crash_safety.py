"""Crash safety and reader isolation, with real processes: kill -9 mid-parse and mid-publish, then
rerun, and compare with an uninterrupted run; a reader querying in a loop during a publish."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingest.sample_reports import east_lake_finance_bureau, render_final_accounts
from tests.conftest import REPO, SEED_000

pytestmark = pytest.mark.e2e
VOLATILE = {"parsed_at", "first_seen_at", "superseded_at", "stored_path", "file_modified_at", "published_at",
            "data_docs_page", "last_seen_at"}  # wall-clock times, paths that name the warehouse home or the run time


def refresh(inbox: Path, home: Path, crash_at: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "FISCAL_HOME": str(home)}
    env.pop("FISCAL_CRASH_AT", None)
    if crash_at:
        env["FISCAL_CRASH_AT"] = crash_at
    return subprocess.run([sys.executable, "-m", "orchestration.cli", "refresh", "--inbox", str(inbox)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


def marts_snapshot(home: Path) -> dict[str, pd.DataFrame]:
    """Every published table except the publish log, without the columns that record wall-clock times."""
    out = {}
    with duckdb.connect(str(home / "marts.duckdb"), read_only=True) as con:
        for (table,) in con.execute("select table_name from information_schema.tables "
                                    "where table_name <> 'publish_history' order by 1").fetchall():
            frame = con.sql(f"select * from {table}").df()
            frame = frame[[c for c in frame.columns if c not in VOLATILE]]
            out[table] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return out


def raw_counts(home: Path) -> dict[str, int]:
    with duckdb.connect(str(home / "raw.duckdb"), read_only=True) as con:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0]
                for t in ("documents", "document_files", "cells", "report_tables", "parse_issues")}


@pytest.fixture(scope="module")
def inbox(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inbox")
    for sample in (REPO / "samples" / "inbox").iterdir():
        shutil.copy(sample, folder / sample.name)
    if SEED_000.exists():
        shutil.copy(SEED_000, folder / SEED_000.name)
    return folder


@pytest.fixture(scope="module")
def uninterrupted(inbox, tmp_path_factory):
    home = tmp_path_factory.mktemp("uninterrupted")
    result = refresh(inbox, home)
    assert result.returncode == 0, result.stdout + result.stderr
    return home


CRASH_POINTS = ["parse.in_transaction", "parse.after_commit", "publish.mid_copy", "publish.before_swap"]


def test_refreshes_killed_at_every_step_then_a_rerun_equals_uninterrupted(inbox, uninterrupted, tmp_path):
    """One home, a refresh killed (SIGKILL) at each point in turn, each one starting from what the kills before
    it left; then a refresh that completes publishes exactly what an uninterrupted refresh publishes."""
    home = tmp_path / "warehouse"
    for point in CRASH_POINTS:
        crashed = refresh(inbox, home, crash_at=point)
        assert crashed.returncode == -9, point + crashed.stdout + crashed.stderr
        assert not (home / "marts.duckdb").exists(), point  # nothing half-built was published
    rerun = refresh(inbox, home)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert raw_counts(home) == raw_counts(uninterrupted)
    expected, actual = marts_snapshot(uninterrupted), marts_snapshot(home)
    assert sorted(actual) == sorted(expected)
    for table, frame in expected.items():
        pd.testing.assert_frame_equal(actual[table], frame, obj=table)
    assert not list((home / "releases").glob("*.partial"))


READER = r"""
import json, sys, time, duckdb
import os
path, out, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
seen, errors, deadline = [], [], time.time() + seconds
# reads until the test says the refresh is over (plus a few reads after it), whatever the machine's speed
while time.time() < deadline and not os.path.exists(out + ".stop"):
    try:
        with duckdb.connect(path, read_only=True) as con:
            release = con.execute("select max(release_id) from publish_history").fetchone()[0]
            facts = con.execute("select count(*), sum(amount_wan)::double from fct_fiscal_amount").fetchone()
            units = con.execute("select count(*) from mart_unit_year_overview").fetchone()[0]
        seen.append([release, facts[0], round(facts[1], 2), units])
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    time.sleep(0.02)
json.dump({"seen": seen, "errors": errors}, open(out, "w"))
"""


def test_reader_in_a_loop_never_errors_nor_sees_a_mix(tmp_path):
    inbox, home = tmp_path / "inbox", tmp_path / "warehouse"
    inbox.mkdir()
    shutil.copy(REPO / "samples" / "inbox" / "east_lake_education_bureau_2023_juesuan.txt", inbox)
    assert refresh(inbox, home).returncode == 0

    def state():
        with duckdb.connect(str(home / "marts.duckdb"), read_only=True) as con:
            release = con.execute("select max(release_id) from publish_history").fetchone()[0]
            facts = con.execute("select count(*), sum(amount_wan)::double from fct_fiscal_amount").fetchone()
            units = con.execute("select count(*) from mart_unit_year_overview").fetchone()[0]
        return [release, facts[0], round(facts[1], 2), units]

    before = state()
    out = tmp_path / "reader.json"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(home / "marts.duckdb"), str(out), "300"])
    time.sleep(1.0)
    report = east_lake_finance_bureau(year=2022)
    (inbox / "finance_2022.txt").write_text(render_final_accounts(report), encoding="utf-8")
    assert refresh(inbox, home).returncode == 0
    after = state()
    time.sleep(2.0)
    Path(str(out) + ".stop").touch()
    reader.wait(timeout=120)
    observed = json.loads(out.read_text())
    assert observed["errors"] == []
    assert before != after and before[3] == 1 and after[3] == 2
    distinct = {tuple(row) for row in observed["seen"]}
    assert distinct <= {tuple(before), tuple(after)}, distinct
    assert tuple(before) in distinct and tuple(after) in distinct
    assert len(observed["seen"]) > 50
