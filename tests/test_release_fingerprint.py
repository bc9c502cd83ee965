"""A refresh with nothing new publishes nothing: the marts fingerprint the publish computes (from the row hashes
it compares documents by) ignores when the inbox was last scanned, and sees any change in what the reports say."""
from pathlib import Path

import duckdb

from orchestration.publish import publish
from orchestration.warehouse import WarehousePaths


def _fingerprint(home: Path, *tables: str) -> str:
    """The fingerprint ``publish`` gives a build holding ``tables`` (create statements into schema marts),
    asked before anything is written (its ``unchanged`` callback names a release: nothing is published)."""
    paths = WarehousePaths(home)
    paths.build_db.parent.mkdir(parents=True, exist_ok=True)
    paths.releases.mkdir(parents=True, exist_ok=True)
    paths.build_db.unlink(missing_ok=True)
    with duckdb.connect(str(paths.build_db)) as con:
        con.execute("create schema marts")
        for create in tables:
            con.execute(create)
    seen: list[str] = []
    result = publish(paths, unchanged=lambda build: seen.append(build) or "current")
    assert result == {"nothing_new": True, "release_id": "current", "fingerprint": seen[0]}
    assert not list(paths.releases.iterdir())  # asked before anything is written
    return seen[0]


def _marts(home: Path, last_seen: str, amount: str) -> str:
    return _fingerprint(
        home,
        "create table marts.inbox_entry as select 'a.pdf' as entry_path, "
        f"timestamp '{last_seen}' as last_seen_at, true as is_in_last_scan",
        "create table marts.fct_fiscal_amount as "
        f"select 'doc1' as document_id, '2010301' as row_code, {amount}::decimal(20,6) as amount")


def test_a_later_scan_of_the_same_inbox_is_not_new(tmp_path) -> None:
    assert _marts(tmp_path, "2026-11-29 01:00", "12515.62") == _marts(tmp_path, "2026-11-30 01:00", "12515.62")


def test_a_changed_amount_is_new(tmp_path) -> None:
    assert _marts(tmp_path, "2026-11-29 01:00", "12515.62") != _marts(tmp_path, "2026-11-29 01:00", "12505.62")


def _one_table(home: Path, select: str) -> str:
    return _fingerprint(home, f"create table marts.mart_x as {select}")


def test_a_change_beside_a_column_named_t_is_new(tmp_path) -> None:
    """DuckDB's ``hash(t)`` reads a column named t, not the row t: the row is hashed column by column."""
    assert _one_table(tmp_path, "select 'a' as t, 1 as amount") != _one_table(tmp_path, "select 'a' as t, 2 as amount")


def test_an_empty_list_is_not_a_missing_one(tmp_path) -> None:
    """DuckDB hashes a NULL list like an empty one, a NULL struct like one of NULL fields."""
    assert (_one_table(tmp_path, "select null::integer[] as tags")
            != _one_table(tmp_path, "select []::integer[] as tags"))
    assert (_one_table(tmp_path, "select null::struct(a integer) as s")
            != _one_table(tmp_path, "select {'a': null::integer}::struct(a integer) as s"))


def test_a_moved_row_between_documents_is_new(tmp_path) -> None:
    """Summed per document and then per table: the same rows under other documents are another build."""
    one = "create table marts.fct_x as select * from (values ('doc1', 1), ('doc2', 2)) v(document_id, amount)"
    other = "create table marts.fct_x as select * from (values ('doc1', 2), ('doc2', 1)) v(document_id, amount)"
    assert _fingerprint(tmp_path, one) != _fingerprint(tmp_path, other)
