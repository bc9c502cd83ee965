"""A refresh with nothing new publishes nothing: the marts fingerprint ignores when the inbox was last scanned,
and sees any change in what the reports say."""
import duckdb

from orchestration.release_fingerprint import fingerprint


def _marts(last_seen: str, amount: str) -> str:
    con = duckdb.connect(":memory:")
    con.execute("create schema marts")
    con.execute("create table marts.inbox_entry as select 'a.pdf' as entry_path, "
                f"timestamp '{last_seen}' as last_seen_at, true as is_in_last_scan")
    con.execute("create table marts.fct_fiscal_amount as "
                f"select '2010301' as row_code, {amount}::decimal(20,6) as amount")
    return fingerprint(con, "memory", "marts")


def test_a_later_scan_of_the_same_inbox_is_not_new() -> None:
    assert _marts("2026-11-29 01:00", "12515.62") == _marts("2026-11-30 01:00", "12515.62")


def test_a_changed_amount_is_new() -> None:
    assert _marts("2026-11-29 01:00", "12515.62") != _marts("2026-11-29 01:00", "12505.62")


def _one_table(select: str) -> str:
    con = duckdb.connect(":memory:")
    con.execute("create schema marts")
    con.execute(f"create table marts.mart_x as {select}")
    return fingerprint(con, "memory", "marts")


def test_a_change_beside_a_column_named_t_is_new() -> None:
    """DuckDB's ``hash(t)`` reads a column named t, not the row t: the row is hashed column by column."""
    assert _one_table("select 'a' as t, 1 as amount") != _one_table("select 'a' as t, 2 as amount")


def test_an_empty_list_is_not_a_missing_one() -> None:
    """DuckDB hashes a NULL list like an empty one, a NULL struct like one of NULL fields."""
    assert _one_table("select null::integer[] as tags") != _one_table("select []::integer[] as tags")
    assert (_one_table("select null::struct(a integer) as s")
            != _one_table("select {'a': null::integer}::struct(a integer) as s"))
