"""Dagster's SQLite event log, with one kept connection per database file for the refresh's own instance.

Dagster's ``SqliteEventLogStorage`` builds a new SQLAlchemy engine for every event it stores (and every read):
it connects, compiles the statement afresh (the compiled-statement cache lives on the engine), commits with a
disk sync and disposes of the engine. A refresh stores ~380 events (each dbt model's planned and done
materialization, each step output, each asset check), and on the bundled samples that was ~4.6 s of a ~23 s
refresh (py-spy).

``KeptConnectionsEventLogStorage`` is the same storage (same files, tables and alembic stamps, so the
webserver and daemon read what it wrote with the stock class) that keeps each file's engine, and so its
connection and compiled statements, until the instance is disposed of. Its connections commit in SQLite's
WAL mode with ``synchronous=NORMAL``: a commit is durable once the WAL is checkpointed, so a power cut can
lose the last events of a run in progress, never corrupt the file; the refresh's outcome is kept by the
warehouse itself (``last_refresh.json``, the releases), not by this log.

Used by ``orchestration/runner.py`` as an override of the instance's ``dagster.yaml``; a server's instance
keeps its configured storage.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME, SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

KEPT_RUN_FILES = 4  # run files with a kept engine besides the index (a refresh writes one; reads over many runs
                   # would otherwise keep a connection, three file descriptors, per run file)


def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001 (SQLAlchemy's listener signature)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class KeptConnectionsEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` keeping one engine (and connection) per database file."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: dict[str, Engine] = {}
        self._tables: set[str] = set()  # tables the index database is known to have (they are never dropped)
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value) -> KeptConnectionsEventLogStorage:  # noqa: ANN001
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.pop(shard, None)
        if engine is not None:
            self._engines[shard] = engine  # the most recently used last
        else:
            runs = [name for name in self._engines if name != INDEX_SHARD_NAME]
            for name in runs[:max(0, len(runs) - KEPT_RUN_FILES + 1)]:
                self._engines.pop(name).dispose()
            engine = create_engine(self.conn_string_for_shard(shard), pool_size=1,
                                   connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False})
            event.listen(engine, "connect", _on_connect)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            self._engines[shard] = engine
        return engine

    @contextlib.contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            with self._engine(shard).connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        """Asked before most index writes (a new engine each time in the stock class): remembered once seen."""
        if table_name not in self._tables and super().has_table(table_name):
            self._tables.add(table_name)
        return table_name in self._tables

    def _dispose_engines(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()
            self._tables.clear()

    def wipe(self) -> None:
        self._dispose_engines()  # the run files are deleted: no engine may keep writing to them
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        self._dispose_engines()
