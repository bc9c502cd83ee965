"""FISCAL_TARGET=postgres on the local server (127.0.0.1:5432, trust): the end-to-end refresh publishes marts
equal, row for row, to the DuckDB build of the same warehouse; the analyst role reads only the published
schema; publish is a blue/green swap and rollback swaps back. Skips when no server answers.

Each warehouse gets its own database (fiscal_test_<random>_<n>), dropped at the end of the session. Both
builds run on one warehouse home, so the raw layer (parse times, stored paths, first-seen dates of findings)
is the same; the DuckDB build is refreshed first, the server's second.
"""

from __future__ import annotations

import decimal
import os
import shutil
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, SEEDS, seed_path

psycopg = pytest.importorskip("psycopg")
from psycopg import errors, sql  # noqa: E402

SERVER = "host=127.0.0.1 port=5432 user=postgres"
# a link to the Data Docs page of the validation run that found it: each target's audit runs (and renders) its own;
# when each refresh's inbox scan saw an entry (wall-clock times of two different runs)
RUN_SPECIFIC = {("dq_finding", "data_docs_page"), ("inbox_entry", "first_seen_at"), ("inbox_entry", "last_seen_at")}


@pytest.fixture(scope="session")
def server():
    """Creates databases on the local server for the session's warehouses; drops them and the role after."""
    try:
        admin = psycopg.connect(f"{SERVER} dbname=postgres connect_timeout=3", autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server at 127.0.0.1:5432 ({exc})")
    prefix = f"fiscal_test_{uuid.uuid4().hex[:10]}"
    role = f"{prefix}_analyst"
    created: list[str] = []

    def new_database() -> str:
        name = f"{prefix}_{len(created)}"
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
        created.append(name)
        return f"{SERVER} dbname={name}"

    yield {"new_database": new_database, "role": role}
    for name in created:
        admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
    admin.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(role)))
    admin.close()


def run_fiscal(*args: str, home: Path, dsn: str | None = None, role: str | None = None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FISCAL_")}
    env["FISCAL_HOME"] = str(home)
    if dsn:
        env.update(FISCAL_TARGET="postgres", FISCAL_PG_DSN=dsn, FISCAL_PG_ANALYST_ROLE=role or "analyst")
    return subprocess.run([sys.executable, "-m", "orchestration.cli", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=1200)


def refresh_on_both(inbox: Path, home: Path, dsn: str, role: str) -> None:
    for target in (None, dsn):
        result = run_fiscal("refresh", "--inbox", str(inbox), home=home, dsn=target, role=role)
        assert result.returncode == 0, f"target {'postgres' if target else 'local'}:\n{result.stdout}{result.stderr}"


def _value(value):
    """Numbers compared by value (1.5 == Decimal('1.500000')), tolerance 0; the rest as they are."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return decimal.Decimal(repr(value)).normalize()
    if isinstance(value, int | decimal.Decimal):
        return decimal.Decimal(value).normalize()
    return value


def mart_differences(marts_db: Path, dsn: str) -> tuple[dict[str, int], list[str]]:
    """Rows per mart, and every difference between the DuckDB release and the server's schema marts."""
    counts, problems = {}, []
    with duckdb.connect(str(marts_db), read_only=True) as local, psycopg.connect(dsn) as server:
        tables = [name for (name,) in local.execute(
            "select table_name from information_schema.tables where table_schema = 'main' "
            "and table_name <> 'publish_history' order by 1").fetchall()]
        published = {name for (name,) in server.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'")}
        problems += [f"{name}: not published on the server" for name in tables if name not in published]
        problems += [f"{name}: only on the server" for name in published - set(tables) - {"publish_history"}]
        for table in [t for t in tables if t in published]:
            columns = [c for (c,) in local.execute(
                "select column_name from information_schema.columns where table_name = ? order by ordinal_position",
                [table]).fetchall()]
            on_server = [c for (c,) in server.execute(
                "select column_name from information_schema.columns where table_schema = 'marts' "
                "and table_name = %s order by ordinal_position", [table])]
            if columns != on_server:
                problems.append(f"{table}: columns {columns} on DuckDB, {on_server} on the server")
                continue
            select = ", ".join(f'"{c}" is not null' if (table, c) in RUN_SPECIFIC else f'"{c}"' for c in columns)
            mine = Counter(tuple(map(_value, row)) for row in local.execute(f"select {select} from {table}").fetchall())
            theirs = Counter(tuple(map(_value, row)) for row in server.execute(f"select {select} from marts.{table}"))
            counts[table] = sum(mine.values())
            if mine != theirs:
                only_local, only_server = list((mine - theirs).elements()), list((theirs - mine).elements())
                pair = (only_local[:1] + only_server[:1]) if only_local and only_server else []
                differing = [f"{c}: {a!r} / {b!r}" for c, a, b in zip(columns, *pair, strict=True) if a != b] \
                    if pair else []
                problems.append(f"{table}: {len(only_local)} rows only on DuckDB, {len(only_server)} only on the "
                                f"server; first pair differs in {differing or (only_local + only_server)[:1]}")
    return counts, problems


@pytest.fixture(scope="session")
def samples_on_both(server, tmp_path_factory):
    home = tmp_path_factory.mktemp("pg_samples")
    dsn = server["new_database"]()
    refresh_on_both(REPO / "samples" / "inbox", home, dsn, server["role"])
    return {"home": home, "dsn": dsn, "role": server["role"]}


@pytest.mark.e2e
def test_samples_publish_the_same_marts_on_postgres(samples_on_both):
    counts, problems = mart_differences(samples_on_both["home"] / "marts.duckdb", samples_on_both["dsn"])
    assert problems == []
    # the samples' figures, not an empty comparison: 463 amounts published, 66 held back by the GK03 erratum
    assert (counts["fct_fiscal_amount"], counts["fct_fiscal_amount_quarantined"], counts["dq_finding"]) == (463, 66, 2)
    assert set(counts) == {model.stem for model in (REPO / "dbt_project" / "models" / "marts").glob("*.sql")}
    with psycopg.connect(samples_on_both["dsn"]) as pg:
        history = pg.execute("select n_facts, n_facts_quarantined, n_tables_quarantined, n_findings_error "
                             "from marts.publish_history").fetchall()
        schemas = {name for (name,) in pg.execute("select nspname from pg_namespace where nspname like 'marts%'")}
    assert history == [(463, 66, 1, 2)]
    assert schemas == {"marts"}  # built into marts_next, renamed: nothing half-built left beside it


@pytest.mark.e2e
def test_seeds_publish_the_same_marts_on_postgres(server, tmp_path_factory):
    seeds = seed_path(SEEDS)
    inbox = tmp_path_factory.mktemp("pg_seeds_inbox")
    for seed in sorted(seeds.iterdir()):
        shutil.copy(seed, inbox / seed.name)
    home = tmp_path_factory.mktemp("pg_seeds")
    dsn = server["new_database"]()
    refresh_on_both(inbox, home, dsn, server["role"])
    counts, problems = mart_differences(home / "marts.duckdb", dsn)
    assert problems == []
    # not an empty comparison: the seeds' amounts (763 at parser 2026.11.11), score tables and narrative figures
    assert counts["fct_fiscal_amount"] > 500 and counts["dim_document"] == len(list(seeds.iterdir()))
    assert counts["fct_performance_score"] > 0 and counts["fct_narrative_figure"] > 0


@pytest.mark.e2e
def test_analyst_reads_the_published_marts_only(samples_on_both):
    role = samples_on_both["role"]
    with psycopg.connect(samples_on_both["dsn"], autocommit=True) as pg:
        pg.execute(sql.SQL("set role {}").format(sql.Identifier(role)))
        assert pg.execute("select count(*) from marts.fct_fiscal_amount").fetchone() == (463,)
        assert pg.execute("select sum(amount_wan) from marts.fct_fiscal_amount where source_table = 'GK01'"
                          ).fetchone()[0] > 0
        denied = {
            "raw": "select count(*) from raw.cells",
            "staging": "select count(*) from staging.stg_raw__cells",
            "intermediate": "select count(*) from intermediate.int_amounts_classified",
            "audit": "select count(*) from audit.dq_finding",
            "insert": "insert into marts.dim_year values (1999, '1999年度')",
            "update": "update marts.fct_fiscal_amount set amount_wan = 0",
            "delete": "delete from marts.dq_finding",
            "create in marts": "create table marts.mine (x integer)",
            "create in public": "create table public.mine (x integer)",
            "drop": "drop table marts.dim_year",
        }
        outcomes = {}
        for name, statement in denied.items():
            try:
                pg.execute(statement)
                outcomes[name] = "allowed"
            except errors.InsufficientPrivilege:
                outcomes[name] = "denied"
            except errors.Error as exc:
                outcomes[name] = type(exc).__name__
    assert outcomes == dict.fromkeys(denied, "denied")


@pytest.mark.e2e
def test_publish_swaps_schemas_and_rollback_swaps_back(samples_on_both):
    home, dsn, role = samples_on_both["home"], samples_on_both["dsn"], samples_on_both["role"]

    def releases(pg) -> dict[str, str]:
        return {schema: pg.execute(sql.SQL("select max(release_id) from {}.publish_history").format(
            sql.Identifier(schema))).fetchone()[0]
                for (schema,) in pg.execute("select nspname from pg_namespace where nspname like 'marts%'").fetchall()}

    with psycopg.connect(dsn, autocommit=True) as pg:
        first = releases(pg)["marts"]
    # the default inbox: the same samples (--force: no input changed, so without it the refresh stops at once)
    again = run_fiscal("refresh", "--force", home=home, dsn=dsn, role=role)
    assert again.returncode == 0, again.stdout + again.stderr
    with psycopg.connect(dsn, autocommit=True) as pg:
        after_publish = releases(pg)
    assert after_publish["marts_prev"] == first and after_publish["marts"] > first
    assert set(after_publish) == {"marts", "marts_prev"}

    back = run_fiscal("rollback", home=home, dsn=dsn, role=role)
    assert back.returncode == 0, back.stdout + back.stderr
    assert first in back.stdout
    with psycopg.connect(dsn, autocommit=True) as pg:
        assert releases(pg) == {"marts": first, "marts_prev": after_publish["marts"]}
        pg.execute(sql.SQL("set role {}").format(sql.Identifier(role)))  # the analyst still reads the release
        assert pg.execute("select count(*) from marts.fct_fiscal_amount").fetchone() == (463,)

    query = run_fiscal("query", "select count(*) as n from fct_fiscal_amount", "--format", "csv",
                       home=home, dsn=dsn, role=role)
    assert query.returncode == 0 and query.stdout.split() == ["n", "463"], query.stdout + query.stderr


def _document(con, content_hash: str, parsed_at: str, amounts: list[float]) -> None:
    con.execute("delete from documents where content_hash = ?", [content_hash])
    con.execute("delete from cells where content_hash = ?", [content_hash])
    con.execute("insert into documents (content_hash, file_name, stored_path, size_bytes, parser_version, status, "
                "n_tables, n_cells, first_seen_at, parsed_at) values (?, ?, 'store/x', 1, 'v', 'parsed', 1, ?, "
                "timestamp '2026-01-01', ?::timestamp)", [content_hash, f"{content_hash}.txt", len(amounts), parsed_at])
    for line, amount in enumerate(amounts, start=1):
        con.execute("insert into cells (content_hash, file_name, table_code, row_label, column_path, value_text, "
                    "amount, printed_unit, amount_wan, line_no) "
                    "values (?, ?, 'GK01', '合计', '金额', ?, ?, '万元', ?, ?)",
                    [content_hash, f"{content_hash}.txt", str(amount), amount, amount, line])


def test_raw_layer_copy_follows_raw_duckdb_per_document(server, tmp_path):
    from ingest import raw_layer
    from ingest.postgres import PostgresTarget, sync_raw

    target = PostgresTarget(server["new_database"]())
    raw_db = str(tmp_path / "raw.duckdb")
    with raw_layer.connect(raw_db) as con:
        _document(con, "a", "2026-01-02 00:00:00", [1.5, 2.25])
        _document(con, "b", "2026-01-02 00:00:00", [10.125])
    assert sync_raw(raw_db, target)["cells"] == 3
    with raw_layer.connect(raw_db) as con:
        _document(con, "b", "2026-01-03 00:00:00", [7.0, 8.0, 9.5])  # parsed again
        _document(con, "c", "2026-01-03 00:00:00", [0.000001])
        con.execute("delete from documents where content_hash = 'a'")  # gone (raw layer rebuilt from the store)
        con.execute("delete from cells where content_hash = 'a'")
    copied = sync_raw(raw_db, target)
    assert (copied["cells"], copied["documents"]) == (4, 2)  # b's and c's cells only; documents in full
    with psycopg.connect(target.conninfo) as pg:
        cells = pg.execute("select content_hash, line_no, amount, amount_wan from raw.cells order by 1, 2").fetchall()
        documents = pg.execute("select content_hash, parsed_at::text from raw.documents order by 1").fetchall()
    assert cells == [("b", 1, 7.0, decimal.Decimal("7.000000")), ("b", 2, 8.0, decimal.Decimal("8.000000")),
                     ("b", 3, 9.5, decimal.Decimal("9.500000")), ("c", 1, 0.000001, decimal.Decimal("0.000001"))]
    assert documents == [("b", "2026-01-03 00:00:00"), ("c", "2026-01-03 00:00:00")]
