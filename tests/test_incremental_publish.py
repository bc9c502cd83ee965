"""A release written from a copy of the one before (orchestration/publish.py) holds exactly the build's rows:
table for table, the same rows, columns and types as a release written whole from the same build."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.publish import publish, rollback
from orchestration.warehouse import WarehousePaths
from tests.conftest import REPO

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
        # nested values, a column named t and rows of no document: v1 and v2 differ only where DuckDB's
        # hash of a NULL list equals that of an empty one, and in the column t
        nested = [("f", "a", [1], {"a": 1}), ("g", "a", [2], {"a": 2}), ("h", "a", [3], {"a": 3}),
                  ("i", "a", [4], {"a": 4})]
        nested += ([("a", "x", None, None), (None, "n", [1], {"a": 1})] if extra_table else
                   [("a", "x", [], {"a": None}), (None, "m", [1], {"a": 1})])
        con.execute("create table marts.mart_nested (document_id varchar, t varchar, tags integer[], "
                    "s struct(a integer))")
        con.executemany("insert into marts.mart_nested values (?, ?, ?, ?)", nested)
        # every row of a table by document differs: written whole
        con.execute("create table marts.mart_all_change as select document_id, amount_wan * ? as v "
                    "from marts.fct_fiscal_amount", [1 if extra_table else 10])


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
    # b (1 row), c (1), e (2) rewritten in fct_fiscal_amount, c in dim_document, a and the row of no document
    # in mart_nested; d deleted; mart_all_change and dim_unit written whole
    assert second["document_rows_rewritten"] == 4 + 1 + 2
    incremental = _tables(_last(paths))
    whole = publish(paths, incremental=False)
    assert whole["written_from"] is None
    assert incremental == _tables(_last(paths))
    assert "mart_only_in_v1" not in incremental
    assert [r[0] for r in incremental["dim_unit"][1]] == ["丙", "甲"]
    assert ("d", 4, "w") not in [(d, int(a), lbl) for d, a, lbl in incremental["fct_fiscal_amount"][1]]
    assert dict(incremental["dim_document"][0])["no_type"] == "VARCHAR"  # a NULL-typed column as varchar
    assert ("a", "x", [], {"a": None}) in incremental["mart_nested"][1]
    assert (None, "m", [1], {"a": 1}) in incremental["mart_nested"][1]
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


def test_a_publish_killed_while_it_rewrites_a_copy_leaves_the_release_before_published(tmp_path: Path):
    paths = WarehousePaths(tmp_path / "home")
    _build(paths, FACTS_V1, ["甲"], extra_table=False)
    first = publish(paths)
    before = _tables(paths.marts_db)
    _build(paths, FACTS_V2, ["甲"], extra_table=False)
    killed = subprocess.run(
        [sys.executable, "-c", "import sys; from orchestration.publish import publish; "
         "from pathlib import Path; from orchestration.warehouse import WarehousePaths; "
         "publish(WarehousePaths(Path(sys.argv[1])))",
         str(paths.home)], cwd=REPO, env={**os.environ, "FISCAL_CRASH_AT": "publish.mid_copy"})
    assert killed.returncode == -9
    assert list(paths.releases.glob("*.partial"))  # the copy being rewritten
    assert _tables(paths.marts_db) == before
    again = publish(paths)
    assert again["written_from"] == first["release_id"]
    assert not [p for p in paths.releases.iterdir() if ".partial" in p.name]
    # what a publish killed between renaming its sidecars and its file leaves: pruned by the next publish
    orphans = [paths.releases / f"20000101T000000000000Z.{kind}" for kind in ("rows.parquet", "layout.json",
                                                                               "history.parquet")]
    for orphan in orphans:
        orphan.write_text("")
    incremental = _tables(paths.marts_db)
    publish(paths, incremental=False)
    assert incremental == _tables(paths.marts_db)
    assert not [orphan for orphan in orphans if orphan.exists()]
    kept = {p.name.split(".")[0] for p in paths.releases.iterdir()}
    assert kept == {p.stem for p in paths.releases.glob("*.duckdb")}  # every sidecar has its release
