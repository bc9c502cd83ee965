"""dbt run in the refresh's process (orchestration/dbt_in_process.py) behaves as the dbt process did."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import duckdb

from orchestration.dbt_in_process import InProcessDbt
from tests.conftest import REPO

PROJECT = REPO / "dbt_project"
DBT = str(Path(sys.executable).with_name("dbt"))


def _env(tmp_path: Path) -> dict[str, str]:
    raw = tmp_path / "raw.duckdb"
    duckdb.connect(str(raw)).close()
    return {**os.environ, "FISCAL_TARGET": "local", "FISCAL_BUILD_DB": str(tmp_path / "build.duckdb"),
            "FISCAL_RAW_DB": str(raw), "DBT_PROFILES_DIR": str(PROJECT), "DBT_PROJECT_DIR": str(PROJECT),
            "DBT_TARGET_PATH": str(tmp_path / "target"), "DBT_LOG_PATH": str(tmp_path / "target"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


def test_a_seed_is_built_and_the_build_database_is_free_afterwards(tmp_path):
    env = _env(tmp_path)
    run = InProcessDbt([DBT, "seed", "--select", "phases"], env=env, cwd=PROJECT)
    assert run.wait() == 0
    events = [json.loads(line) for line in run.stdout]
    results = [e for e in events if e["info"]["name"] == "LogSeedResult"]  # what dagster-dbt reads
    assert [e["data"]["node_info"]["unique_id"] for e in results] == ["seed.fiscal.phases"]
    assert results[0]["data"]["status"] == "success"
    assert all(e["info"]["level"] in {"info", "warn", "error"} for e in events)  # what dbt prints by default
    # dbt-duckdb's connection is closed: another configuration (read-only) may open the file
    with duckdb.connect(env["FISCAL_BUILD_DB"], read_only=True) as build:
        assert build.execute("select count(*) from reference.phases").fetchone()[0] == 3
    assert os.getcwd() != str(PROJECT) and os.environ.get("FISCAL_BUILD_DB") != env["FISCAL_BUILD_DB"]


def test_a_failing_selection_returns_dbt_s_exit_codes(tmp_path):
    env = _env(tmp_path)
    missing = InProcessDbt([DBT, "build", "--select", "no_such_model_anywhere"], env=env, cwd=PROJECT)
    assert missing.wait() == 0  # dbt warns that nothing matched and succeeds, as the CLI does
    broken = InProcessDbt([DBT, "run", "--select", "stg_raw__cells"], env=env, cwd=PROJECT)
    assert broken.wait() == 1  # the raw layer has no tables: the model fails, dbt exits 1
    errors = [json.loads(line) for line in broken.stdout if b'"level":"error"' in line]
    assert any("cells" in e["info"]["msg"] for e in errors)
