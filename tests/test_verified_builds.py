"""The row-wise dbt tests of the tables incremental by document read the rows no passing build has verified
(dbt_project/macros/verified_builds.sql). A build that failed or stopped leaves its rows unverified: the next
build, though it builds nothing new, tests them again and holds back the document they fail on; once a build
passes, every row it read is verified."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, fiscal

pytestmark = pytest.mark.e2e

SAMPLES = REPO / "samples" / "inbox"
FINANCE = "east_lake_finance_bureau_2023_juesuan.txt"


def build(home: Path, sql: str, read_only: bool = True) -> list[tuple]:
    with duckdb.connect(str(home / "build" / "build.duckdb"), read_only=read_only) as con:
        return con.execute(sql).fetchall()


def test_rows_a_failed_build_left_are_tested_again_and_hold_back_their_document(tmp_path):
    inbox, home = tmp_path / "inbox", tmp_path / "home"
    shutil.copytree(SAMPLES, inbox)
    first = fiscal("refresh", "--inbox", str(inbox), home=home)
    assert first.returncode == 0, first.stdout + first.stderr
    amounts = "model.fiscal.int_amounts_classified"
    verified = build(home, f"select invocation_id from main.dbt_verified_rows where model_id = '{amounts}'")
    stamps = build(home, "select distinct build_invocation_id from intermediate.int_amounts_classified")
    assert len(stamps) == 1 and verified == stamps  # the refresh's first build wrote and verified them
    (document_id,) = build(home, "select distinct document_id from intermediate.int_amounts_classified "
                                 f"where file_name = '{FINANCE}'")[0]

    # a build that stopped after writing the finance bureau's rows, one of them twice, and never passed its tests
    build(home, f"""
        update intermediate.int_amounts_classified set build_invocation_id = 'a-build-that-failed'
        where document_id = '{document_id}';
        insert into intermediate.int_amounts_classified
        select * from intermediate.int_amounts_classified where document_id = '{document_id}' limit 1;
    """, read_only=False)

    again = fiscal("refresh", "--inbox", str(inbox), "--force", home=home)  # nothing new to parse or build
    assert again.returncode == 0, again.stdout + again.stderr
    with duckdb.connect(str(home / "marts.duckdb"), read_only=True) as marts:
        held = dict(marts.execute("select file_name, parse_reason from dim_document "
                                  "where parse_status = 'quarantined'").fetchall())
        published = {name for (name,) in marts.execute(
            "select distinct source_file from fct_fiscal_amount").fetchall()}
    assert list(held) == [FINANCE]
    assert held[FINANCE].startswith(
        f"{FINANCE}: dbt test unique_int_amounts_classified_fact_id failed on 2 of its rows")
    assert published == {"east_lake_education_bureau_2023_juesuan.txt"}
    # the build that passed after the hold read the failed build's rows of the other document and verified them:
    # no row is left for every later build to read again
    assert build(home, "select count(*) from intermediate.int_amounts_classified where build_invocation_id not in "
                       f"(select invocation_id from main.dbt_verified_rows where model_id = '{amounts}')") == [(0,)]
