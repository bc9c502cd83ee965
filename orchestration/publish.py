"""Atomic publish and rollback of the marts database.

A release is a complete DuckDB file written beside the published one and checkpointed; publishing
is an ``os.replace`` of ``marts.duckdb`` by a hard link to it, which is atomic: a reader either
opens the old file or the new one, and a reader holding the old file keeps its consistent view
until it reconnects. Every release stays in ``releases/`` (the newest ``KEEP_RELEASES``), so
``fiscal rollback`` is the same swap to an older file.

Any DuckDB client reads a release: it is written in storage version ``STORAGE_VERSION`` (the format
of DuckDB 1.0, which every DuckDB from 0.10 on reads), not in the building DuckDB's newest format.
The publish never opens the published file: the release history it carries on is read from the
current release's sidecar (``releases/<id>.history.parquet``), so a client holding ``marts.duckdb``
in any mode (the DuckDB CLI and DBeaver open read-write, which locks the file) cannot make it wait
or fail; the swap replaces the name and that client keeps the file it opened. Release files are made
read-only (mode 0444), so a read-write client cannot change a kept release.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.faults import crash_point
from orchestration.warehouse import WarehousePaths

KEEP_RELEASES = 10
# The storage format of the release files: DuckDB 1.0's, read by every DuckDB client from 0.10 on (the CLI,
# Python/R/Java/ODBC 1.x, DBeaver's JDBC driver); the building DuckDB would otherwise write its newest format.
STORAGE_VERSION = "v1.0.0"
log = logging.getLogger(__name__)
HISTORY_DDL = """
create table publish_history (
    release_id varchar,
    published_at timestamp,
    n_documents integer,
    n_documents_quarantined integer,
    n_facts bigint,
    n_facts_quarantined bigint,
    n_tables_quarantined integer,
    n_findings_error integer,
    n_findings_warning integer,
    n_findings_info integer,
    n_findings_reader integer          -- error/warning findings of origin reader (could not read), not the source's
)
"""


def publish(paths: WarehousePaths) -> dict:
    """Copy the build's marts schema into a new release file and swap it in atomically."""
    now = datetime.now(UTC).replace(tzinfo=None)
    release_id = now.strftime("%Y%m%dT%H%M%S%fZ")
    target = paths.releases / f"{release_id}.duckdb"
    partial = target.with_suffix(".partial")
    for stale in paths.releases.glob("*.partial*"):  # left by a publish that was killed (and its WAL)
        stale.unlink()
    previous_histories = _previous_histories(paths)
    with duckdb.connect() as con:
        con.execute(f"attach '{partial}' as release (storage_version '{STORAGE_VERSION}')")
        con.execute(f"attach '{paths.build_db}' as build (read_only)")
        con.execute("use release")
        tables = [row[0] for row in con.execute(
            "select table_name from information_schema.tables where table_catalog = 'build' "
            "and table_schema = 'marts' order by table_name").fetchall()]
        for index, table in enumerate(tables):
            con.execute(f"create table release.main.{table} as select {_typed_columns(con, table)} "
                        f"from build.marts.{table}")
            if index == len(tables) // 2:
                crash_point("publish.mid_copy")
        con.execute("detach build")
        con.execute(HISTORY_DDL)
        for history in previous_histories:  # every entry once; append-only
            # by name: a history written before a column was added gets null there
            con.execute(f"insert into publish_history by name select * from read_parquet('{history}') "
                        "where release_id not in (select release_id from publish_history)")
        stats = _release_stats(con)
        con.execute(
            "insert into publish_history values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [release_id, now, *stats.values()],
        )
        sidecar = _history_file(target)
        con.execute(f"copy (select * from publish_history order by published_at) to '{sidecar}.partial' "
                    "(format parquet)")
        con.execute("checkpoint")
        con.execute("use memory")
        con.execute("detach release")
    os.replace(f"{sidecar}.partial", sidecar)
    os.chmod(partial, 0o444)
    os.replace(partial, target)
    crash_point("publish.before_swap")
    _swap_in(paths, target)
    crash_point("publish.after_swap")
    _prune(paths)
    return {"release_id": release_id, "tables": tables, **stats}


def rollback(paths: WarehousePaths) -> str:
    """Publish the release before the current one again; returns its id."""
    current = current_release(paths)
    releases = sorted(p for p in paths.releases.glob("*.duckdb"))
    older = [p for p in releases if current is None or p.stem < current]
    if not older:
        raise RuntimeError(f"no release older than {current} in {paths.releases}")
    _swap_in(paths, older[-1])
    return older[-1].stem


def current_release(paths: WarehousePaths) -> str | None:
    if not paths.marts_db.exists():
        return None
    inode = paths.marts_db.stat().st_ino
    return next((p.stem for p in paths.releases.glob("*.duckdb") if p.stat().st_ino == inode), None)


def _typed_columns(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """The table's columns, a column of type NULL (a model selecting a bare null) published as varchar:
    Parquet, pandas and other clients have no such type."""
    columns = con.execute(
        "select column_name, data_type from information_schema.columns where table_catalog = 'build' "
        "and table_schema = 'marts' and table_name = ? order by ordinal_position", [table]).fetchall()
    typed = []
    for name, data_type in columns:
        if data_type == '"NULL"':
            log.warning("marts.%s.%s has type NULL: published as varchar", table, name)
            typed.append(f'cast("{name}" as varchar) as "{name}"')
        else:
            typed.append(f'"{name}"')
    return ", ".join(typed)


def _history_file(release: Path) -> Path:
    return release.with_name(f"{release.stem}.history.parquet")


def _swap_in(paths: WarehousePaths, release: Path) -> None:
    staged = paths.marts_db.with_name(paths.marts_db.name + ".next")
    staged.unlink(missing_ok=True)
    os.link(release, staged)
    os.replace(staged, paths.marts_db)
    # a WAL beside the published name was written by a client that opened the old file read-write:
    # it belongs to that file, never to the release just swapped in
    paths.marts_db.with_name(paths.marts_db.name + ".wal").unlink(missing_ok=True)
    directory = os.open(paths.home, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _previous_histories(paths: WarehousePaths) -> list[Path]:
    """The publish history so far, as sidecar files: the published release's and the newest release's (after
    a rollback the published one is older and lacks the entries after it). A release published before
    sidecars existed has its history read once from its file (when no client holds that file locked)."""
    releases = sorted(paths.releases.glob("*.duckdb"))
    current = current_release(paths)
    wanted = dict.fromkeys(r for r in (current, releases[-1].stem if releases else None) if r)
    histories = []
    for release_id in wanted:
        release = paths.releases / f"{release_id}.duckdb"
        sidecar = _history_file(release)
        if not sidecar.exists() and not _history_from_release(release, sidecar):
            continue
        histories.append(sidecar)
    return histories


def _history_from_release(release: Path, sidecar: Path) -> bool:
    try:
        with duckdb.connect() as con:
            con.execute(f"attach '{release}' as previous (read_only)")
            has = con.execute(
                "select count(*) from information_schema.tables where table_catalog = 'previous' "
                "and table_name = 'publish_history'").fetchone()[0]
            if not has:
                return False
            con.execute(f"copy (select * from previous.main.publish_history) to '{sidecar}' (format parquet)")
    except duckdb.Error as exc:
        log.warning("publish history of release %s not carried on: %s", release.stem, exc)
        return False
    return True


def _release_stats(release: duckdb.DuckDBPyConnection) -> dict:
    one = lambda sql: release.execute(sql).fetchone()[0]  # noqa: E731
    return {
        "n_documents": one("select count(*) from dim_document"),
        "n_documents_quarantined": one("select count(*) from dim_document where parse_status = 'quarantined'"),
        "n_facts": one("select count(*) from fct_fiscal_amount"),
        "n_facts_quarantined": one("select count(*) from fct_fiscal_amount_quarantined"),
        "n_tables_quarantined": one("select count(*) from dim_report_table where publication_status = 'quarantined'"),
        # errors and warnings of the documents' own arithmetic; what the reader could not read apart
        "n_findings_error": one("select count(*) from dq_finding where severity = 'error' and origin = 'source'"),
        "n_findings_warning": one("select count(*) from dq_finding where severity = 'warning' and origin = 'source'"),
        "n_findings_info": one("select count(*) from dq_finding where severity = 'info'"),
        "n_findings_reader": one("select count(*) from dq_finding where severity in ('error', 'warning') "
                                 "and origin = 'reader'"),
    }


def _prune(paths: WarehousePaths) -> None:
    releases = sorted(paths.releases.glob("*.duckdb"))
    current = current_release(paths)
    for old in releases[:-KEEP_RELEASES]:
        if old.stem != current:
            old.unlink()
            _history_file(old).unlink(missing_ok=True)
