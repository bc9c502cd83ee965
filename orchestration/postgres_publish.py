"""Publish and rollback on the server target: a blue/green swap of schemas in one transaction.

dbt builds the marts into ``marts_next``; once the audit and the blocking checks passed, one transaction
adds the release to ``publish_history``, grants the analyst role read access, and renames

    marts       -> marts_prev   (the release before, for rollback; the one before it is dropped)
    marts_next  -> marts

so a reader sees the old release or the new one, never a mix; a query running on the old release keeps
its snapshot. ``fiscal rollback`` swaps ``marts`` and ``marts_prev`` the same way.

The analyst role (``FISCAL_PG_ANALYST_ROLE``, default ``analyst``, NOLOGIN: grant it to login roles) has
USAGE on the published schema and SELECT on its tables, nothing on raw, staging, intermediate, audit or
marts_next, and no CREATE anywhere; default privileges give it SELECT on tables created later in the
published schema too.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import psycopg
from psycopg import sql

from ingest.postgres import PostgresTarget
from orchestration.publish import HISTORY_DDL, _release_stats

PUBLISHED, NEXT, PREVIOUS = "marts", "marts_next", "marts_prev"
WITHDRAWN = "marts_withdrawn_"  # + release id: the release before marts_prev, dropped after the swap committed
SWAP = "marts_swap"
BUILD_SCHEMAS = ("raw", "staging", "intermediate", "reference", "audit", NEXT, PREVIOUS)
DROP_LOCK_TIMEOUT = "5s"  # a reader still on a withdrawn release never makes the publish wait longer


def analyst_role() -> str:
    return os.environ.get("FISCAL_PG_ANALYST_ROLE", "analyst")


def publish_on_server(target: PostgresTarget) -> dict:
    """Swap the built marts in as the published schema; the release's statistics (as publish.publish)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    release_id = now.strftime("%Y%m%dT%H%M%S%fZ")
    role = analyst_role()
    with target.connect() as pg:
        if not _schema_exists(pg, NEXT):
            raise RuntimeError(f"no schema {NEXT} to publish: the marts were not built")
        _ensure_role(pg, role)
        pg.execute(f"set local search_path to {NEXT}")
        tables = [name for (name,) in pg.execute(
            "select table_name from information_schema.tables where table_schema = %s order by 1", [NEXT])]
        pg.execute(HISTORY_DDL.replace("create table publish_history", f"create table {NEXT}.publish_history"))
        if _table_exists(pg, PUBLISHED, "publish_history"):
            names = [name for (name,) in pg.execute(
                "select column_name from information_schema.columns where table_schema = %s "
                "and table_name = 'publish_history' order by ordinal_position", [NEXT])]
            kept = [n for n in names if n in _columns(pg, PUBLISHED, "publish_history")]
            columns = sql.SQL(", ").join(map(sql.Identifier, kept))
            pg.execute(sql.SQL("insert into {}.publish_history ({}) select {} from {}.publish_history").format(
                sql.Identifier(NEXT), columns, columns, sql.Identifier(PUBLISHED)))
        stats = _release_stats(pg)
        pg.execute(f"insert into {NEXT}.publish_history values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                   [release_id, now, *stats.values()])
        _grant_read(pg, NEXT, role)
        if _schema_exists(pg, PREVIOUS):
            pg.execute(f"alter schema {PREVIOUS} rename to {WITHDRAWN}{release_id.lower()}")
        if _schema_exists(pg, PUBLISHED):
            pg.execute(f"alter schema {PUBLISHED} rename to {PREVIOUS}")
        pg.execute(f"alter schema {NEXT} rename to {PUBLISHED}")
        pg.commit()
    _drop_withdrawn(target)
    return {"release_id": release_id, "tables": tables, **stats}


def rollback_on_server(target: PostgresTarget) -> str:
    """Publish the release before the current one again (swap marts and marts_prev); its id."""
    with target.connect() as pg:
        if not _schema_exists(pg, PREVIOUS):
            raise RuntimeError(f"no previous release (schema {PREVIOUS}) in {target.dbname}")
        pg.execute(f"alter schema {PUBLISHED} rename to {SWAP}")
        pg.execute(f"alter schema {PREVIOUS} rename to {PUBLISHED}")
        pg.execute(f"alter schema {SWAP} rename to {PREVIOUS}")
        release = current_release_on_server(pg)
        pg.commit()
    return release or "?"


def current_release_on_server(pg: psycopg.Connection) -> str | None:
    if not _table_exists(pg, PUBLISHED, "publish_history"):
        return None
    row = pg.execute(f"select release_id from {PUBLISHED}.publish_history "
                     "order by published_at desc limit 1").fetchone()
    return row[0] if row else None


def _ensure_role(pg: psycopg.Connection, role: str) -> None:
    """The analyst role exists, may connect to this database, and reads nothing but the published marts."""
    exists = pg.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone()
    if not exists:
        pg.execute(sql.SQL("create role {} nologin").format(sql.Identifier(role)))
    database = pg.execute("select current_database()").fetchone()[0]
    pg.execute(sql.SQL("grant connect on database {} to {}").format(sql.Identifier(database), sql.Identifier(role)))
    # nothing of the build: schemas exist only once dbt or the raw copy made them
    for schema in (*BUILD_SCHEMAS, "public"):
        if _schema_exists(pg, schema):
            pg.execute(sql.SQL("revoke all on schema {} from {}").format(sql.Identifier(schema),
                                                                         sql.Identifier(role)))
    pg.execute(sql.SQL("revoke create on schema public from public"))


def _grant_read(pg: psycopg.Connection, schema: str, role: str) -> None:
    ident, who = sql.Identifier(schema), sql.Identifier(role)
    pg.execute(sql.SQL("grant usage on schema {} to {}").format(ident, who))
    pg.execute(sql.SQL("grant select on all tables in schema {} to {}").format(ident, who))
    pg.execute(sql.SQL("alter default privileges in schema {} grant select on tables to {}").format(ident, who))


def _drop_withdrawn(target: PostgresTarget) -> None:
    """Drop the releases before marts_prev; a reader still on one only postpones that to the next publish."""
    with target.connect() as pg:
        withdrawn = [name for (name,) in pg.execute(
            "select nspname from pg_namespace where starts_with(nspname, %s)", [WITHDRAWN])]
        pg.rollback()
        for schema in withdrawn:
            pg.execute(f"set local lock_timeout = '{DROP_LOCK_TIMEOUT}'")
            try:
                pg.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(schema)))
                pg.commit()
            except psycopg.errors.LockNotAvailable:
                pg.rollback()


def _schema_exists(pg: psycopg.Connection, schema: str) -> bool:
    return pg.execute("select 1 from pg_namespace where nspname = %s", [schema]).fetchone() is not None


def _table_exists(pg: psycopg.Connection, schema: str, table: str) -> bool:
    return pg.execute("select 1 from information_schema.tables where table_schema = %s and table_name = %s",
                      [schema, table]).fetchone() is not None


def _columns(pg: psycopg.Connection, schema: str, table: str) -> list[str]:
    return [name for (name,) in pg.execute(
        "select column_name from information_schema.columns where table_schema = %s and table_name = %s",
        [schema, table])]
