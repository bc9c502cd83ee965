"""dbt run in the refresh's process (orchestration/dbt_in_process.py) behaves as the dbt process did."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import duckdb

from orchestration.dbt_in_process import InProcessDbt, parse_project
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


def _full_parse_reasons(run: InProcessDbt) -> list[str]:
    return [event["info"]["msg"] for event in map(json.loads, run.stdout)
            if event["info"]["name"] == "UnableToPartialParse"]


def test_a_new_home_starts_from_the_projects_partial_parse_unless_its_profile_differs(tmp_path):
    """The profile names each home's DuckDB files; dbt compares it without their folders in this process, so a
    new home's first call does not parse the whole project again. Any other difference still does."""
    parse_project(PROJECT, tmp_path / "project")
    assert (tmp_path / "project" / "manifest.json").exists()
    runs = {}
    for home, extra in (("new_home", {}), ("other_settings", {"FISCAL_DBT_MEMORY": "2GB"})):
        (tmp_path / home).mkdir()
        env = {**_env(tmp_path / home), **extra}
        Path(env["DBT_TARGET_PATH"]).mkdir(parents=True)
        shutil.copy2(tmp_path / "project" / "partial_parse.msgpack", env["DBT_TARGET_PATH"])
        runs[home] = InProcessDbt([DBT, "ls", "--select", "phases"], env=env, cwd=PROJECT)
        assert runs[home].wait() == 0
    assert _full_parse_reasons(runs["new_home"]) == []
    assert _full_parse_reasons(runs["other_settings"]) == [
        "Unable to do partial parsing because profile has changed"]


def test_no_project_file_renders_the_profiles_file_paths():
    """What lets every home share one partial parse (orchestration/dbt_in_process.py): the DuckDB files' folders
    differ from home to home, so a model, macro or yml that rendered them would be parsed with another home's."""
    renders_paths = re.compile(r"target\s*\.\s*(?:path|attach)|target\s*\[\s*['\"](?:path|attach)|"
                               r"FISCAL_BUILD_DB|FISCAL_RAW_DB")
    files = [path for path in PROJECT.rglob("*") if path.suffix in {".sql", ".yml", ".csv", ".md"}
             and "target" not in path.relative_to(PROJECT).parts and path.name != "profiles.yml"]
    assert len(files) > 50
    assert [str(path) for path in files if renders_paths.search(path.read_text(encoding="utf-8"))] == []


def test_a_debug_event_is_built_only_for_a_reader():
    from dbt.adapters.events.types import SQLQuery
    from dbt.events.types import LogStartLine
    from dbt.tracking import track_behavior_change_warn
    from dbt_common.events.base_types import EventLevel
    from dbt_common.events.event_manager import EventManager

    from orchestration.dbt_in_process import _skip_unread_debug_events

    _skip_unread_debug_events()
    manager = EventManager()
    info_only = []

    def keep(msg) -> None:
        if msg.info.level != "debug":
            info_only.append(msg.info.name)

    keep.ignores_debug = True
    manager.add_callback(keep)
    manager.add_callback(track_behavior_change_warn)  # dbt's own: reads one warning's name
    query = SQLQuery(conn_name="model.fiscal.x", sql="select 1", node_info={})
    manager.fire_event(query)
    assert "_arguments" in query.__dict__  # no one reads debug events: its message was never built
    start = LogStartLine(description="sql table model marts.x", index=1, total=2, node_info={})
    manager.fire_event(start)
    assert info_only == ["LogStartLine"] and "_arguments" not in start.__dict__

    # its fields are there when asked for, as dbt built them, and can be set as on any event
    assert query.sql == "select 1" and query.conn_name == "model.fiscal.x"
    renamed = SQLQuery(conn_name="model.fiscal.x", sql="select 1", node_info={})
    renamed.conn_name = "model.fiscal.w"
    assert (renamed.conn_name, renamed.sql, renamed.to_dict()["sql"]) == ("model.fiscal.w", "select 1", "select 1")

    read = []
    manager.add_callback(lambda msg: read.append((msg.info.level, msg.data.sql)))  # a reader of every event
    manager.fire_event(SQLQuery(conn_name="model.fiscal.y", sql="select 2", node_info={}))
    assert read == [("debug", "select 2")]
    # a debug event fired at a higher level reaches the callbacks that read that level
    manager.callbacks = [keep]
    manager.fire_event(SQLQuery(conn_name="model.fiscal.z", sql="select 3", node_info={}), level=EventLevel.INFO)
    assert info_only == ["LogStartLine", "SQLQuery"]


def test_a_template_is_compiled_once_per_source_and_kind_of_environment(tmp_path, monkeypatch):
    import jinja2
    from dbt_common.clients.jinja import get_template

    from orchestration import dbt_in_process
    from orchestration.dbt_in_process import _cache_compiled_templates

    generated = []
    original = jinja2.Environment._generate
    monkeypatch.setattr(jinja2.Environment, "_generate",
                        lambda self, *args, **kwargs: generated.append(1) or original(self, *args, **kwargs))
    _cache_compiled_templates(tmp_path)
    try:
        monkeypatch.setattr(dbt_in_process, "_TEMPLATE_CODE", {})
        source = "select {{ amount + 1 }} as total_{{ 2 * amount }}"
        assert get_template(source, {}).render({"amount": 41}) == "select 42 as total_82"
        assert get_template(source, {}).render({"amount": 1}) == "select 2 as total_2"
        # a native environment's code differs (it returns values, not text): compiled for it on its own
        assert get_template("{{ amount + 1 }}", {}, native=True).render({"amount": 41}) == 42
        assert get_template("{{ amount + 1 }}", {}).render({"amount": 41}) == "42"
        assert len(generated) == 3
        kept = list((tmp_path / "target" / "jinja_bytecode").glob("*/*"))
        assert len(kept) == 3

        # the next process (nothing in memory) reads the code from disk instead of compiling
        monkeypatch.setattr(dbt_in_process, "_TEMPLATE_CODE", {})
        assert get_template(source, {}).render({"amount": 9}) == "select 10 as total_18"
        assert get_template("{{ amount + 1 }}", {}, native=True).render({"amount": 1}) == 2
        assert len(generated) == 3

        # a file that is not Jinja's bytecode of this version is compiled again and written over
        for path in kept:
            path.write_bytes(b"not bytecode")
        monkeypatch.setattr(dbt_in_process, "_TEMPLATE_CODE", {})
        assert get_template(source, {}).render({"amount": 0}) == "select 1 as total_0"
        assert len(generated) == 4
    finally:
        _cache_compiled_templates(PROJECT)


def test_a_node_s_sql_is_kept_in_run_results_only_and_fetched_results_keep_their_types(tmp_path):
    from dbt_common import behavior_flags
    from dbt_common.clients import agate_helper

    env = _env(tmp_path)
    run = InProcessDbt([DBT, "build", "--select", "resource_type:seed"], env=env, cwd=PROJECT)  # seeds, their tests
    assert run.wait() == 0
    target = tmp_path / "target"
    assert not (target / "compiled").exists() and not (target / "run").exists()  # no file per node
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    tests = [r for r in results if r["unique_id"].startswith("test.")]
    assert tests and all("from" in r["compiled_code"] for r in tests)  # each test's SQL, as it ran
    # a result table fetched from the database keeps its text columns as text (a type tester per argument set)
    table = agate_helper.table_from_data_flat([{"code": "005", "n": 5}, {"code": "null", "n": 6}], ["code", "n"])
    again = agate_helper.table_from_data_flat([{"code": "", "n": 1}], ["code", "n"])
    assert list(table.columns["code"].values()) == ["005", "null"] and list(again.columns["code"].values()) == [""]
    assert [type(t).__name__ for t in table.column_types] == ["Text", "Integer"]
    assert agate_helper.build_type_tester({"code"}, ()) is agate_helper.build_type_tester(["code"], [])
    # a behaviour flag is named by the module that declares it, as dbt names it
    flag = behavior_flags.BehaviorFlagRendered({"name": "some_flag", "default": False, "description": "x"}, {})
    assert flag._behavior_change_event.flag_source == __name__
