"""The server target: PostgreSQL holding the raw layer, the dbt build and the published marts.

Selected by configuration: ``FISCAL_TARGET=postgres`` and either ``FISCAL_PG_DSN`` (a libpq connection
string or URI) or ``FISCAL_PG_HOST`` / ``FISCAL_PG_PORT`` / ``FISCAL_PG_USER`` / ``FISCAL_PG_PASSWORD`` /
``FISCAL_PG_DBNAME``. The parser keeps its transactional working copy of the raw layer in ``raw.duckdb``
(documents are parsed, held and released there); after every change the server's schema ``raw`` is made
equal to it with COPY, in one transaction, so dbt and the audit read the raw layer from the server.

Schemas on the server:

    raw            the raw layer (COPY from raw.duckdb)
    staging, intermediate, reference, audit   dbt's build and the audit's tables
    marts_next     the marts dbt builds (write-audit-publish)
    marts          the published marts: ``marts_next`` renamed in one transaction
    marts_prev     the release before, for ``fiscal rollback``
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import duckdb
import pandas as pd
import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

LOCAL, POSTGRES = "local", "postgres"
RAW_SCHEMA = "raw"
# tables of raw.duckdb that the models read (finding_history and alert_state are the orchestrator's own)
RAW_TABLES = ("documents", "document_files", "cells", "report_tables", "parse_issues", "narrative_claims",
              "narrative_figures", "performance_tables", "performance_indicators", "metadata_candidates",
              "manifest_entries", "document_holds", "document_pages", "inbox_entries", "document_withdrawals")
# one document's parse: replaced only for documents whose parsed_at changed (the big ones: cells …)
PER_DOCUMENT = ("cells", "report_tables", "parse_issues", "narrative_claims", "narrative_figures",
                "performance_tables", "performance_indicators", "document_pages")
COPY_BATCH = 50_000


def target_name() -> str:
    name = os.environ.get("FISCAL_TARGET", LOCAL).strip() or LOCAL
    if name not in (LOCAL, POSTGRES):
        raise ValueError(f"FISCAL_TARGET={name!r}: expected {LOCAL!r} or {POSTGRES!r}")
    return name


@dataclass(frozen=True)
class PostgresTarget:
    """Where the server is: a libpq connection string (picklable, so audit workers can connect)."""

    conninfo: str

    @classmethod
    def from_env(cls) -> PostgresTarget:
        dsn = os.environ.get("FISCAL_PG_DSN", "").strip()
        if dsn:
            return cls(make_conninfo(dsn))
        fields = {"host": os.environ.get("FISCAL_PG_HOST", "127.0.0.1"),
                  "port": os.environ.get("FISCAL_PG_PORT", "5432"),
                  "user": os.environ.get("FISCAL_PG_USER", "postgres"),
                  "password": os.environ.get("FISCAL_PG_PASSWORD") or None,
                  "dbname": os.environ.get("FISCAL_PG_DBNAME", "fiscal")}
        return cls(make_conninfo(**{k: v for k, v in fields.items() if v}))

    @property
    def dbname(self) -> str:
        return conninfo_to_dict(self.conninfo).get("dbname") or "fiscal"

    def export_for_dbt(self) -> None:
        """dbt's profile (target postgres) reads these."""
        parts = conninfo_to_dict(self.conninfo)
        os.environ["FISCAL_PG_HOST"] = str(parts.get("host") or "127.0.0.1")
        os.environ["FISCAL_PG_PORT"] = str(parts.get("port") or "5432")
        os.environ["FISCAL_PG_USER"] = str(parts.get("user") or "postgres")
        os.environ["FISCAL_PG_PASSWORD"] = str(parts.get("password") or "")
        os.environ["FISCAL_PG_DBNAME"] = self.dbname

    def in_schema(self, schema: str, read_only: bool = False) -> PostgresTarget:
        """The same server, resolving unqualified names in ``schema`` (e.g. the published marts)."""
        options = f"-c search_path={schema}" + (" -c default_transaction_read_only=on" if read_only else "")
        return PostgresTarget(make_conninfo(self.conninfo, options=options))

    def connect(self, autocommit: bool = False) -> psycopg.Connection:
        return psycopg.connect(self.conninfo, autocommit=autocommit)


def pg_type(duckdb_type: str) -> str:
    """The server's column type for a raw.duckdb column type."""
    upper = duckdb_type.upper()
    if upper.startswith("DECIMAL"):
        return upper.replace("DECIMAL", "numeric")
    return {"VARCHAR": "text", "BIGINT": "bigint", "INTEGER": "integer", "DOUBLE": "double precision",
            "BOOLEAN": "boolean", "TIMESTAMP": "timestamp", "DATE": "date", "SMALLINT": "smallint",
            "HUGEINT": "numeric(38, 0)", "FLOAT": "real"}.get(upper, "text")


def _columns(raw: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return raw.execute("select column_name, data_type from information_schema.columns "
                       "where table_schema = 'main' and table_name = ? order by ordinal_position", [table]).fetchall()


def ensure_raw_schema(cur: psycopg.Cursor, raw: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Create the server's raw tables (and columns added since) from raw.duckdb's; their columns."""
    cur.execute(f"create schema if not exists {RAW_SCHEMA}")
    columns = {}
    for table in RAW_TABLES:
        spec = _columns(raw, table)
        if not spec:
            continue
        cur.execute(f"create table if not exists {RAW_SCHEMA}.{table} ("
                    + ", ".join(f'"{name}" {pg_type(kind)}' for name, kind in spec) + ")")
        for name, kind in spec:
            cur.execute(f'alter table {RAW_SCHEMA}.{table} add column if not exists "{name}" {pg_type(kind)}')
        columns[table] = [name for name, _ in spec]
    cur.execute(f"create index if not exists documents_hash on {RAW_SCHEMA}.documents (content_hash)")
    for table in PER_DOCUMENT:
        if table in columns:
            cur.execute(f"create index if not exists {table}_hash on {RAW_SCHEMA}.{table} (content_hash)")
    return columns


def copy_rows(cur: psycopg.Cursor, table: str, columns: list[str], reader) -> int:
    """COPY every row of an Arrow record batch reader into ``table``; the number of rows."""
    names = ", ".join(f'"{c}"' for c in columns)
    n = 0
    with cur.copy(f"copy {table} ({names}) from stdin") as copy:
        for batch in reader:
            values = [column.to_pylist() for column in batch.columns]
            for row in zip(*values, strict=True):
                copy.write_row(row)
            n += batch.num_rows
    return n


def sync_raw(raw_db: str, target: PostgresTarget) -> dict[str, int]:
    """Make the server's raw schema equal to raw.duckdb in one transaction: the tables of one document's
    parse are replaced only for documents parsed again (another parsed_at) or gone, the rest in full.
    Returns the rows copied per table."""
    copied: dict[str, int] = {}
    with duckdb.connect(raw_db, read_only=True) as raw, target.connect() as pg, pg.cursor() as cur:
        columns = ensure_raw_schema(cur, raw)
        server = cur.execute(f"select content_hash, parsed_at from {RAW_SCHEMA}.documents").fetchall()
        local = raw.execute("select content_hash, parsed_at from documents").fetchall()
        changed = sorted(set(local) - set(server))
        stale = sorted({h for h, _ in set(server) - set(local)} | {h for h, _ in changed})
        cur.execute("create temporary table stale_documents (content_hash text primary key) on commit drop")
        with cur.copy("copy stale_documents (content_hash) from stdin") as copy:
            for content_hash in stale:
                copy.write_row((content_hash,))
        raw.register("changed_documents", pd.DataFrame({"content_hash": [h for h, _ in changed]}, dtype=object))
        for table, names in columns.items():
            select = ", ".join(f'"{c}"' for c in names)
            if table in PER_DOCUMENT:
                cur.execute(f"delete from {RAW_SCHEMA}.{table} t using stale_documents s "
                            "where t.content_hash = s.content_hash")
                sql = (f"select {select} from {table} "
                       "where content_hash in (select content_hash from changed_documents)")
            else:
                cur.execute(f"truncate {RAW_SCHEMA}.{table}")
                sql = f"select {select} from {table}"
            copied[table] = copy_rows(cur, f"{RAW_SCHEMA}.{table}", names,
                                      raw.sql(sql).to_arrow_reader(COPY_BATCH))
        raw.unregister("changed_documents")
        pg.commit()
    return copied
