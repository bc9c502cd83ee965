"""The refresh's Dagster event log (orchestration/event_log_storage.py): chosen only where the home's
dagster.yaml leaves storage to Dagster's SQLite default, and a bounded number of kept connections."""

from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME

from orchestration.event_log_storage import KEPT_RUN_FILES, KeptConnectionsEventLogStorage
from orchestration.runner import open_instance


def test_kept_connections_only_where_storage_is_dagsters_default(tmp_path):
    with open_instance(tmp_path / "default") as instance:  # the shipped dagster.yaml names no storage
        storage = instance.event_log_storage
        assert type(storage) is KeptConnectionsEventLogStorage
        assert storage._base_dir == str(tmp_path / "default" / "history" / "runs")  # noqa: SLF001 (Dagster's folder)
    named = tmp_path / "named"
    named.mkdir()
    (named / "dagster.yaml").write_text(f"storage:\n  sqlite:\n    base_dir: {named / 'elsewhere'}\n")
    with open_instance(named) as instance:
        assert type(instance.event_log_storage).__name__ == "SqliteEventLogStorage"


def test_kept_engines_are_bounded_and_every_run_file_stays(tmp_path):
    storage = KeptConnectionsEventLogStorage(str(tmp_path))
    runs = [f"run{i}" for i in range(KEPT_RUN_FILES + 3)]
    for run_id in runs:
        with storage.run_connection(run_id) as conn:
            conn.exec_driver_sql("select 1")
    with storage.index_connection() as conn:
        conn.exec_driver_sql("select 1")
    kept = list(storage._engines)  # noqa: SLF001
    assert kept[:-1] == runs[-KEPT_RUN_FILES:] and kept[-1] == INDEX_SHARD_NAME  # the most recent runs
    assert sorted(p.name for p in tmp_path.glob("run*.db")) == sorted(f"{r}.db" for r in runs)
    storage.dispose()
    assert storage._engines == {}  # noqa: SLF001
