"""Atomic publish and rollback of the marts database.

A release is a complete DuckDB file written beside the published one and checkpointed; publishing
is an ``os.replace`` of ``marts.duckdb`` by a hard link to it, which is atomic: a reader either
opens the old file or the new one, and a reader holding the old file keeps its consistent view
until it reconnects. Every release stays in ``releases/`` (the newest ``KEEP_RELEASES``), so
``fiscal rollback`` is the same swap to an older file.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.faults import crash_point
from orchestration.warehouse import WarehousePaths

KEEP_RELEASES = 10
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
    with duckdb.connect(str(partial)) as release:
        release.execute(f"attach '{paths.build_db}' as build (read_only)")
        tables = [row[0] for row in release.execute(
            "select table_name from information_schema.tables where table_catalog = 'build' "
            "and table_schema = 'marts' order by table_name").fetchall()]
        for index, table in enumerate(tables):
            release.execute(f"create table main.{table} as select * from build.marts.{table}")
            if index == len(tables) // 2:
                crash_point("publish.mid_copy")
        release.execute("detach build")
        release.execute(HISTORY_DDL)
        _copy_history(release, paths)
        stats = _release_stats(release)
        release.execute(
            "insert into publish_history values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [release_id, now, *stats.values()],
        )
        release.execute("checkpoint")
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


def _swap_in(paths: WarehousePaths, release: Path) -> None:
    staged = paths.marts_db.with_name(paths.marts_db.name + ".next")
    staged.unlink(missing_ok=True)
    os.link(release, staged)
    os.replace(staged, paths.marts_db)
    directory = os.open(paths.home, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _copy_history(release: duckdb.DuckDBPyConnection, paths: WarehousePaths) -> None:
    """Every entry of the history so far, once: from the published release and from the newest release
    file (after a rollback the published one is older and lacks the entries after it). Append-only."""
    sources = [paths.marts_db, *sorted(paths.releases.glob("*.duckdb"))[-1:]]
    for index, source in enumerate(dict.fromkeys(p.resolve() for p in sources if p.exists())):
        alias = f"previous_{index}"
        release.execute(f"attach '{source}' as {alias} (read_only)")
        try:
            has = release.execute(
                "select count(*) from information_schema.tables where table_catalog = ? "
                "and table_name = 'publish_history'", [alias]).fetchone()[0]
            if has:
                # by name: a history written before a column was added gets null there
                release.execute(f"insert into publish_history by name select * from {alias}.main.publish_history "
                                "where release_id not in (select release_id from publish_history)")
        finally:
            release.execute(f"detach {alias}")


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
