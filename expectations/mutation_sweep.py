"""Mutation sweep: alter each printed amount of one document by a fixed delta, one at a time, and check that
the integrity rules raise at least one error naming the altered cell's table.

This is how the catalog's coverage is measured (issue: "altering any single amount by 1.00 万元 or more
yields at least one error finding that names the altered cell's table and its row or the total it
breaks"). It runs the nightly suite's comparisons (gate.document_comparisons) on a built warehouse,
so a sweep over a few hundred cells takes seconds, not one refresh per cell.

    python -m expectations.mutation_sweep BUILD_DB RAW_DB FILE_NAME_PREFIX [--delta 1.0]
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from expectations.gate import AUDITED_RELATIONS, document_comparisons
from expectations.suite import evaluate


@dataclass
class SweepResult:
    n_cells: int
    caught: int
    missed: pd.DataFrame  # the altered cells no error names
    tables: list[str]  # the tables the swept cells belong to


@dataclass
class Warehouse:
    """What the suite reads of a built warehouse (the frames gate.document_comparisons takes)."""
    amounts: pd.DataFrame
    claims: pd.DataFrame
    nodes: pd.DataFrame
    score_tables: pd.DataFrame
    figures: pd.DataFrame


def load_warehouse(build_db: Path, raw_db: Path) -> Warehouse:
    with duckdb.connect(str(build_db), read_only=True) as build:
        build.execute(f"attach '{raw_db}' as raw (read_only)")
        return Warehouse(*(build.sql(f"select * from {relation}").df() for relation in AUDITED_RELATIONS))


def sweep(warehouse: Warehouse, file_prefix: str, delta: float = 1.0, every: int = 1,
          offset: int = 0) -> SweepResult:
    """Every money cell of the document (or every ``every``-th from ``offset``) altered by ``delta`` 万元, one
    at a time; the comparisons of all the altered copies are decided by the suite in one pass (each copy
    under its own document id)."""
    amounts = warehouse.amounts
    document = amounts[amounts["file_name"].str.startswith(file_prefix)].reset_index(drop=True)
    ids = set(document["document_id"])

    def of_document(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["document_id"].isin(ids)]

    context = (of_document(warehouse.claims), of_document(warehouse.nodes), of_document(warehouse.score_tables),
               of_document(warehouse.figures))

    def comparisons(frame: pd.DataFrame) -> pd.DataFrame:
        return document_comparisons(frame, *context)

    baseline = comparisons(document).assign(mutation=-1)
    money_rows = list(document.index[document["amount_wan"].notna()])[offset::every]
    copies = [baseline]
    for index in money_rows:
        altered = document.copy()
        printed, wan = altered.at[index, "amount_printed"], altered.at[index, "amount_wan"]
        altered.at[index, "amount_wan"] = wan + delta
        altered.at[index, "amount_printed"] = printed + (delta * printed / wan if wan else delta)
        copies.append(comparisons(altered).assign(mutation=index))
    checks = pd.concat(copies, ignore_index=True)
    checks["document_id"] = checks["document_id"] + "#" + checks["mutation"].astype(str)
    findings = evaluate(checks.drop(columns="mutation"), None)
    errors = findings[findings["severity"] == "error"].copy()
    errors["mutation"] = errors["document_id"].str.rsplit("#", n=1).str[1].astype(int)
    key = ["rule_id", "table_code", "row_label", "column_path", "line_no"]
    known = set(map(tuple, errors.loc[errors["mutation"] == -1, key].astype(str).to_numpy()))
    errors = errors[[tuple(k) not in known for k in errors[key].astype(str).to_numpy()]]
    named = set(zip(errors["mutation"], errors["table_code"], strict=True))
    missed = [document.loc[i, ["table_code", "row_label", "row_code", "column_path", "line_no", "amount_wan"]]
              for i in money_rows if (i, document.at[i, "table_code"]) not in named]
    return SweepResult(len(money_rows), len(money_rows) - len(missed), pd.DataFrame(missed),
                       sorted(set(document.loc[money_rows, "table_code"])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build_db", type=Path)
    parser.add_argument("raw_db", type=Path)
    parser.add_argument("file_prefix")
    parser.add_argument("--delta", type=float, default=1.0)
    parser.add_argument("--every", type=int, default=1, help="sweep every n-th amount only")
    args = parser.parse_args()
    result = sweep(load_warehouse(args.build_db, args.raw_db), args.file_prefix, args.delta, args.every)
    print(f"{result.caught} of {result.n_cells} altered amounts raised an error naming their table")
    if not result.missed.empty:
        print(result.missed.to_string(index=False))


if __name__ == "__main__":
    main()
