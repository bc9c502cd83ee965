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

A release is written incrementally when it can be: the current release's file is copied (a byte copy, no
DuckDB open, so a client holding it is no obstacle) and only what differs from the build is rewritten. What
differs is decided by row hashes, not by guessing what a refresh touched: every release keeps, beside it,
the count and the sum of row hashes of each table's rows per document (``<id>.rows.parquet``; one line for a
table without ``document_id``) and the columns of each table (``<id>.layout.json``). A table whose columns
changed is copied whole; a document whose rows differ has its rows deleted and inserted again; a table where
more than half of the rows differ, or without ``document_id``, is copied whole when it differs at all. The
release that results holds the build's rows whatever the copy held, since every table is compared with the
build. The copy is not used (the release is written whole, as the first one is) when the current release
has no such sidecars, its file changed since it was published (its size and modification time are kept),
or more than half of its blocks are free (deleted rows pile up over many releases).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.faults import crash_point
from orchestration.release_fingerprint import OBSERVATION_COLUMNS, digest, row_hash
from orchestration.warehouse import WarehousePaths

KEEP_RELEASES = 10
REWRITE_SHARE = 0.5  # a table where more than this share of rows differ is copied whole
FREE_SHARE = 0.5  # a release with more than this share of free blocks is not copied for the next one
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


def publish(paths: WarehousePaths, incremental: bool = True,
            unchanged: Callable[[str], str | None] | None = None) -> dict:
    """Write the build's marts schema into a new release file and swap it in atomically; the current
    release's file is copied and only what differs rewritten when ``incremental`` and it can be.

    The build's row hashes give its fingerprint (``release_fingerprint.digest``), returned as ``fingerprint``;
    where ``unchanged(fingerprint)`` names a release (the current one, equal to the build), nothing is
    written and ``{"nothing_new": True, "release_id": <that release>, "fingerprint": ...}`` is returned."""
    now = datetime.now(UTC).replace(tzinfo=None)
    release_id = now.strftime("%Y%m%dT%H%M%S%fZ")
    target = paths.releases / f"{release_id}.duckdb"
    partial = target.with_suffix(".partial")
    with duckdb.connect(config=_bounded_memory(paths)) as con:
        con.execute(f"attach '{paths.build_db}' as build (read_only)")
        tables = [row[0] for row in con.execute(
            "select table_name from information_schema.tables where table_catalog = 'build' "
            "and table_schema = 'marts' order by table_name").fetchall()]
        layout = {table: _typed_layout(con, table) for table in tables}
        _hash_rows(con, layout)
        build = _fingerprint(con, layout)
        same = unchanged(build) if unchanged is not None else None
        if same is not None:
            return {"nothing_new": True, "release_id": same, "fingerprint": build}
        for stale in paths.releases.glob("*.partial*"):  # left by a publish that was killed (and its WAL)
            stale.unlink()
        previous_histories = _previous_histories(paths)
        base = _base_release(paths) if incremental else None
        if base is not None:
            shutil.copyfile(base.file, partial)
            os.chmod(partial, 0o644)
            if _stat(base.file) != base.stat:  # written into while it was copied: the copy may be torn
                log.warning("release %s changed while it was copied: this release is written whole",
                            base.file.stem)
                partial.unlink()
                base = None
        if base is not None:
            con.execute(f"attach '{partial}' as release")
        else:
            con.execute(f"attach '{partial}' as release (storage_version '{STORAGE_VERSION}')")
        con.execute("use release")
        if base is not None:
            con.execute(f"create temp table base_rows as select * from read_parquet('{base.rows}')")
            _drop_others(con, set(tables))
        written = {}
        for index, table in enumerate(tables):
            written[table] = _write_table(con, table, layout[table], base)
            if index == len(tables) // 2:
                crash_point("publish.mid_copy")
        con.execute("detach build")
        con.execute("drop table if exists release.main.publish_history")
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
        rows_file = _rows_file(target)
        con.execute("copy (select table_name, document_id, n, h from build_rows order by table_name, document_id) "
                    f"to '{rows_file}.partial' (format parquet)")
        con.execute("checkpoint")
        free, total = con.execute("select free_blocks, total_blocks from pragma_database_size() "
                                  "where database_name = 'release'").fetchone()
        con.execute("use memory")
        con.execute("detach release")
    os.replace(f"{sidecar}.partial", sidecar)
    os.replace(f"{rows_file}.partial", rows_file)
    os.chmod(partial, 0o444)
    os.replace(partial, target)
    size, mtime_ns = _stat(target)
    _layout_file(target).write_text(json.dumps(
        {"size": size, "mtime_ns": mtime_ns, "storage_version": STORAGE_VERSION, "free_blocks": free,
         "total_blocks": total, "tables": layout}, ensure_ascii=False), encoding="utf-8")
    crash_point("publish.before_swap")
    _swap_in(paths, target)
    crash_point("publish.after_swap")
    _prune(paths)
    return {"release_id": release_id, "fingerprint": build, "tables": tables,
            "written_from": base.file.stem if base else None,
            "tables_rewritten": sum(rewritten for rewritten, _rows in written.values()),
            "document_rows_rewritten": sum(rows for _rewritten, rows in written.values()), **stats}


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


def _typed_layout(con: duckdb.DuckDBPyConnection, table: str) -> list[list[str]]:
    """The table's columns and types as published: a column of type NULL (a model selecting a bare null)
    is published as varchar, since Parquet, pandas and other clients have no such type."""
    columns = con.execute(
        "select column_name, data_type from information_schema.columns where table_catalog = 'build' "
        "and table_schema = 'marts' and table_name = ? order by ordinal_position", [table]).fetchall()
    layout = []
    for name, data_type in columns:
        if data_type == '"NULL"':
            log.warning("marts.%s.%s has type NULL: published as varchar", table, name)
            data_type = "VARCHAR"
        layout.append([name, data_type])
    return layout


def _select(table: str, layout: list[list[str]]) -> str:
    columns = ", ".join(f'cast("{name}" as {data_type}) as "{name}"' if data_type == "VARCHAR" else f'"{name}"'
                        for name, data_type in layout)
    return f"select {columns} from build.marts.{table}"


def _bounded_memory(paths: WarehousePaths) -> dict[str, str]:
    """The publish's DuckDB holds at most ``FISCAL_DBT_MEMORY`` (default 1GB), as the marts build does, and
    spills to a folder beside the build database. Without a limit DuckDB keeps up to 80 % of the machine's
    memory: the first release of 100,000 reports took the refresh to 7.9 GB, its blocks cached as written."""
    return {"memory_limit": os.environ.get("FISCAL_DBT_MEMORY", "1GB"),
            "temp_directory": str(paths.build_db.with_name("publish.tmp"))}


def _by_document(layout: list[list[str]]) -> bool:
    return any(name == "document_id" for name, _ in layout)


def _hash_rows(con: duckdb.DuckDBPyConnection, layout: dict[str, list[list[str]]]) -> None:
    """``build_rows``: per table, and per document where the table has ``document_id``, the number of rows
    and the sum of their hashes, kept as DECIMAL(38, 0), which Parquet stores exactly (a HUGEINT becomes a
    DOUBLE there); ``h_stable`` is that sum without the columns that only record when something was last
    observed (``release_fingerprint.OBSERVATION_COLUMNS``; null where a table has none)."""
    parts = []
    for table, columns in layout.items():
        document = "t.document_id" if _by_document(columns) else "cast(null as varchar)"
        volatile = OBSERVATION_COLUMNS.get(table, ())
        stable = (f"cast(sum({row_hash([c for c in columns if c[0] not in volatile])}) as decimal(38, 0))"
                  if volatile else "cast(null as decimal(38, 0))")
        parts.append(f"select '{table}' as table_name, cast({document} as varchar) as document_id, "
                     f"count(*) as n, cast(sum({row_hash(columns)}) as decimal(38, 0)) as h, {stable} as h_stable "
                     f"from ({_select(table, columns)}) t group by all")
    con.execute("create temp table build_rows as " + " union all ".join(parts) if parts else
                "create temp table build_rows (table_name varchar, document_id varchar, n bigint, h decimal(38, 0), "
                "h_stable decimal(38, 0))")


def _fingerprint(con: duckdb.DuckDBPyConnection, layout: dict[str, list[list[str]]]) -> str:
    """The build's fingerprint from ``build_rows``: each table's layout, row count and sum of row hashes."""
    sums = {table: (int(n), int(h)) for table, n, h in con.execute(
        "select table_name, sum(n), coalesce(sum(coalesce(h_stable, h)), 0) from build_rows group by table_name"
    ).fetchall()}
    return digest((table, columns, *sums.get(table, (0, 0))) for table, columns in sorted(layout.items()))


def _drop_others(con: duckdb.DuckDBPyConnection, tables: set[str]) -> None:
    """Whatever the copied release holds that the build does not (a model removed): dropped."""
    for name, kind in con.execute(
            "select table_name, table_type from information_schema.tables where table_catalog = 'release' "
            "and table_schema = 'main'").fetchall():
        if name not in tables and name != "publish_history":
            con.execute(f'drop {"view" if kind == "VIEW" else "table"} release.main."{name}"')


def _write_table(con: duckdb.DuckDBPyConnection, table: str, layout: list[list[str]], base: _Base | None
                 ) -> tuple[bool, int]:
    """Bring ``release.main.<table>`` to the build's rows: whether it was rewritten, and how many rows of
    documents that differ were deleted and inserted again (0 when the table was copied whole)."""
    if base is not None and base.layout.get(table) == layout:
        con.execute(f"""
            create or replace temp table differing as
            select coalesce(b.document_id, r.document_id) as document_id, coalesce(b.n, 0) as n
            from (select * from build_rows where table_name = '{table}') b
            full join (select * from base_rows where table_name = '{table}') r
                on b.document_id is not distinct from r.document_id
            where b.n is distinct from r.n or b.h is distinct from r.h""")
        changed, rows = con.execute("select count(*), coalesce(sum(n), 0) from differing").fetchone()
        if not changed:
            return False, 0
        total = con.execute("select sum(n) from build_rows where table_name = ?", [table]).fetchone()[0] or 0
        if _by_document(layout) and rows <= REWRITE_SHARE * total:
            con.execute(f"delete from release.main.{table} t where exists "
                        "(select 1 from differing d where d.document_id is not distinct from t.document_id)")
            con.execute(f"insert into release.main.{table} select * from ({_select(table, layout)}) t where exists "
                        "(select 1 from differing d where d.document_id is not distinct from t.document_id)")
            return True, rows
    con.execute(f"drop table if exists release.main.{table}")
    con.execute(f"create table release.main.{table} as {_select(table, layout)}")
    return True, 0


class _Base:
    """The current release as the start of the next one: its file (with the size and modification time it
    had when published), row hashes and layout."""

    def __init__(self, file: Path, stat: tuple[int, int], rows: Path, layout: dict[str, list[list[str]]]):
        self.file, self.stat, self.rows, self.layout = file, stat, rows, layout


def _stat(file: Path) -> tuple[int, int]:
    stat = file.stat()
    return stat.st_size, stat.st_mtime_ns


def _base_release(paths: WarehousePaths) -> _Base | None:
    current = current_release(paths)
    if current is None:
        return None
    file = paths.releases / f"{current}.duckdb"
    rows, layout_file = _rows_file(file), _layout_file(file)
    if not rows.exists() or not layout_file.exists():
        return None
    try:
        recorded = json.loads(layout_file.read_text(encoding="utf-8"))
        stat = _stat(file)
    except (OSError, ValueError):
        return None
    if stat != (recorded.get("size"), recorded.get("mtime_ns")):
        log.warning("release %s changed since it was published: the next release is written whole", current)
        return None
    if recorded.get("storage_version") != STORAGE_VERSION:
        return None  # a copy keeps its file's format: a new STORAGE_VERSION needs a release written whole
    if recorded.get("free_blocks", 0) > FREE_SHARE * max(recorded.get("total_blocks", 0), 1):
        return None  # written whole, which leaves no free blocks
    return _Base(file, stat, rows, recorded.get("tables", {}))


def _history_file(release: Path) -> Path:
    return release.with_name(f"{release.stem}.history.parquet")


def _rows_file(release: Path) -> Path:
    return release.with_name(f"{release.stem}.rows.parquet")


def _layout_file(release: Path) -> Path:
    return release.with_name(f"{release.stem}.layout.json")


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
            for sidecar in (_history_file(old), _rows_file(old), _layout_file(old)):
                sidecar.unlink(missing_ok=True)
    # sidecars of a release that never became a file (a publish killed between its renames)
    for pattern in ("*.rows.parquet", "*.layout.json", "*.history.parquet"):
        for sidecar in paths.releases.glob(pattern):
            if not sidecar.with_name(sidecar.name.split(".")[0] + ".duckdb").exists():
                sidecar.unlink()
