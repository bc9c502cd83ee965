"""A release written from a copy of the one before (orchestration/publish.py) holds exactly the build's rows:
table for table, the same rows, columns and types as a release written whole from the same build."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest

from orchestration.publish import publish, rollback
from orchestration.warehouse import WarehousePaths

FACTS_V1 = [("a", 1, "x"), ("a", 2, "y"), ("b", 3, "z"), ("d", 4, "w"), ("e", 5, "v"), ("e", 5, "v"),
            ("f", 6, "u"), ("g", 7, "t"), ("h", 8, "s"), ("i", 9, "r")]
# b's amount changed, c is new, d is gone, e's two equal rows both changed (an xor of hashes would not see
# it), a and f–i unchanged
FACTS_V2 = [("a", 1, "x"), ("a", 2, "y"), ("b", 30, "z"), ("c", 10, "q"), ("e", 6, "v"), ("e", 6, "v"),
            ("f", 6, "u"), ("g", 7, "t"), ("h", 8, "s"), ("i", 9, "r")]


def _build(paths: WarehousePaths, facts: list[tuple], units: list[str], extra_table: bool) -> None:
    paths.ensure()
    paths.build_db.unlink(missing_ok=True)
    with duckdb.connect(str(paths.build_db)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_fiscal_amount (document_id varchar, amount_wan decimal(18, 2), "
                    "label varchar)")
        con.executemany("insert into marts.fct_fiscal_amount values (?, ?, ?)", facts)
        con.execute("create table marts.dim_document as select distinct document_id, 'parsed' as parse_status, "
                    "null as no_type from marts.fct_fiscal_amount")
        con.execute("create table marts.dim_unit as select unnest(?) as unit_name", [units])
        con.execute("create table marts.fct_fiscal_amount_quarantined (fact_id bigint)")
        con.execute("create table marts.dim_report_table (publication_status varchar)")
        con.execute("create table marts.dq_finding (severity varchar, origin varchar)")
        if extra_table:
            con.execute("create table marts.mart_only_in_v1 as select 1 as x")


def _tables(marts: Path) -> dict[str, tuple]:
    """Every table of a release: its columns with types, and its rows in order."""
    with duckdb.connect(str(marts), read_only=True) as con:
        names = [r[0] for r in con.execute("select table_name from information_schema.tables "
                                           "where table_name <> 'publish_history' order by 1").fetchall()]
        return {name: (con.execute("select column_name, data_type from information_schema.columns "
                                   "where table_name = ? order by ordinal_position", [name]).fetchall(),
                       sorted(con.execute(f"select * from {name}").fetchall(), key=repr))
                for name in names}


def _last(paths: WarehousePaths) -> Path:
    return max(paths.releases.glob("*.duckdb"))


def test_a_release_from_a_copy_equals_one_written_whole(tmp_path: Path):
    paths = WarehousePaths(tmp_path / "home")
    _build(paths, FACTS_V1, ["甲", "乙"], extra_table=True)
    first = publish(paths)
    assert first["written_from"] is None  # nothing to copy: written whole
    _build(paths, FACTS_V2, ["甲", "丙"], extra_table=False)
    second = publish(paths)
    assert second["written_from"] == first["release_id"]
    # b (1 row), c (1), e (2) rewritten in fct_fiscal_amount, c in dim_document; d deleted from both
    assert second["document_rows_rewritten"] == 4 + 1
    incremental = _tables(_last(paths))
    whole = publish(paths, incremental=False)
    assert whole["written_from"] is None
    assert incremental == _tables(_last(paths))
    assert "mart_only_in_v1" not in incremental
    assert [r[0] for r in incremental["dim_unit"][1]] == ["丙", "甲"]
    assert ("d", 4, "w") not in [(d, int(a), lbl) for d, a, lbl in incremental["fct_fiscal_amount"][1]]
    assert dict(incremental["dim_document"][0])["no_type"] == "VARCHAR"  # a NULL-typed column as varchar
    with duckdb.connect() as con:
        con.execute(f"attach '{paths.releases / (second['release_id'] + '.duckdb')}' as r (read_only)")
        tags = dict(con.execute("select database_name, tags from duckdb_databases()").fetchall())
    assert tags["r"]["storage_version"] == "v1.0.0+"  # a copy keeps the format 1.x clients read


def test_an_unchanged_table_is_not_rewritten_and_history_carries_on(tmp_path: Path):
    paths = WarehousePaths(tmp_path / "home")
    _build(paths, FACTS_V1, ["甲"], extra_table=False)
    first = publish(paths)
    second = publish(paths)
    assert second["written_from"] == first["release_id"]
    assert second["tables_rewritten"] == 0 and second["document_rows_rewritten"] == 0
    assert rollback(paths) == first["release_id"]
    _build(paths, FACTS_V2, ["甲"], extra_table=False)
    third = publish(paths)
    assert third["written_from"] == first["release_id"]  # the published one, after the rollback
    with duckdb.connect(str(paths.marts_db), read_only=True) as con:
        history = [r[0] for r in con.execute("select release_id from publish_history order by published_at").fetchall()]
    assert history == [first["release_id"], second["release_id"], third["release_id"]]


@pytest.mark.parametrize("tamper", ["changed file", "no sidecar", "mostly free"])
def test_a_release_that_cannot_be_trusted_or_is_mostly_free_is_not_copied(tmp_path: Path, tamper: str):
    paths = WarehousePaths(tmp_path / "home")
    _build(paths, FACTS_V1, ["甲"], extra_table=False)
    first = publish(paths)
    release = paths.releases / f"{first['release_id']}.duckdb"
    layout = release.with_name(f"{release.stem}.layout.json")
    if tamper == "changed file":  # a client (as root) wrote into the published file after it was published
        os.utime(release, ns=(release.stat().st_atime_ns, release.stat().st_mtime_ns + 1_000_000))
    elif tamper == "no sidecar":  # a release published before row hashes were kept
        release.with_name(f"{release.stem}.rows.parquet").unlink()
    else:
        recorded = json.loads(layout.read_text(encoding="utf-8"))
        layout.write_text(json.dumps({**recorded, "free_blocks": recorded["total_blocks"]}), encoding="utf-8")
    _build(paths, FACTS_V2, ["甲"], extra_table=False)
    second = publish(paths)
    assert second["written_from"] is None
    assert _tables(paths.marts_db)["fct_fiscal_amount"][1][2][1] == 30  # b's new amount, written whole


def test_a_client_table_in_the_copied_release_is_dropped(tmp_path: Path):
    """A copy carries what the copied file holds; whatever the build does not have is dropped."""
    paths = WarehousePaths(tmp_path / "home")
    _build(paths, FACTS_V1, ["甲"], extra_table=True)
    publish(paths)
    _build(paths, FACTS_V1, ["甲"], extra_table=False)
    second = publish(paths)
    assert second["written_from"] is not None
    assert "mart_only_in_v1" not in _tables(paths.marts_db)
