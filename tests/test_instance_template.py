"""A new home's Dagster instance is a copy of an empty one (orchestration/instance_template.py): the same
databases a creation writes, each home with its own run storage id, and never a copy over a home's history."""

import sqlite3

import pytest

from orchestration import instance_template
from orchestration.runner import open_instance


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "fiscal"


def _tables(database) -> set[str]:
    with sqlite3.connect(database) as con:
        return {name for (name,) in con.execute("select name from sqlite_master where type = 'table'")}


def test_a_new_home_gets_a_copy_of_the_empty_instance(tmp_path, cache):
    with open_instance(tmp_path / "first" / "dagster_home") as instance:
        first_id = instance.run_storage.get_run_storage_id()
    [template] = cache.glob("dagster_home-*")
    assert not list(cache.glob(".dagster_home-*"))  # the staging folder is gone
    assert sorted(p.relative_to(template).as_posix() for p in template.rglob("*.db")) == [
        "history/runs.db", "history/runs/index.db", "schedules/schedules.db"]
    with sqlite3.connect(template / "history" / "runs.db") as con:
        assert con.execute("select count(*) from instance_info").fetchone() == (0,)  # ids are drawn per home
    assert {"runs", "run_tags", "instance_info"} <= _tables(template / "history" / "runs.db")
    assert {"event_logs", "asset_keys"} <= _tables(template / "history" / "runs" / "index.db")

    second = tmp_path / "second" / "dagster_home"
    with open_instance(second) as instance:
        assert instance.get_runs() == []
        assert instance.run_storage.get_run_storage_id() != first_id
        assert type(instance.event_log_storage).__name__ == "KeptConnectionsEventLogStorage"
    for relative in ("history/runs.db", "history/runs/index.db", "schedules/schedules.db", "dagster.yaml"):
        assert (second / relative).read_bytes() != b""
    assert (second / "dagster.yaml").read_text() == (template / "dagster.yaml").read_text()


def test_a_folder_holding_anything_is_never_overwritten(tmp_path, cache):
    with open_instance(tmp_path / "warm"):  # the template exists from here on
        pass
    home = tmp_path / "home" / "dagster_home"
    (home / "history").mkdir(parents=True)
    (home / "history" / "runs.db").write_bytes(b"kept")
    try:
        open_instance(home).dispose()
    except Exception:  # noqa: BLE001, S110 (Dagster cannot read the stand-in file: only the bytes matter here)
        pass
    assert (home / "history" / "runs.db").read_bytes() == b"kept"


def test_without_a_writable_cache_the_instance_is_created_in_place(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))  # a file: no folder can be made under it
    home = tmp_path / "home" / "dagster_home"
    with open_instance(home) as instance:
        assert instance.get_runs() == []
    assert (home / "history" / "runs.db").exists()
    assert instance_template.cache_folder() == blocked / "fiscal"
