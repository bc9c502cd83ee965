"""Run the integrity comparisons through Great Expectations and turn the outcome into findings.

Each rule is one GX expectation suite (``integrity.<rule_id>``) over the rule's comparison rows, each
carrying its identity (document, unit, year, table, row code and label, column, line, printed value,
expected value, tolerance; computed in DuckDB SQL): ``expect_column_values_to_be_between(beyond_tolerance,
max_value=0)`` where beyond_tolerance = |printed − expected| − tolerance, with result_format COMPLETE and
the identity as ``unexpected_index_column_names``, so GX's result and its Data Docs page name every failing
cell. GX decides which rows breach; rows inside the tolerance with a nonzero difference are kept as
``info`` (rounding) findings so they stay visible without blocking.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections import namedtuple
from pathlib import Path

import numpy as np
import pandas as pd

from expectations import data_docs, gx_unexpected_rows
from expectations.catalog import rules
from expectations.comparisons import COLUMNS

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
logging.getLogger("great_expectations").setLevel(logging.WARNING)

FINDING_COLUMNS = [
    "finding_id", "document_id", "table_code", "side", "row_code", "row_label", "column_path", "line_no",
    "rule_id", "rule_name", "expected", "actual", "difference", "tolerance", "n_addends", "addends",
    "severity", "message", "data_docs_page", "origin", "scope",
]
# scope: what an unwaived error finding holds back — the row (its line of the table), the table, or the
# whole document (an audit that could not run)
EPSILON = 1e-6


DOCS_SITE = data_docs.SITE


def _context(docs_dir: Path | None):
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    if docs_dir is not None:
        context.add_data_docs_site(site_name=DOCS_SITE, site_config={
            "class_name": "SiteBuilder",
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
        })
    return context


def evaluate(comparisons: pd.DataFrame, docs_dir: Path | None = None,
             documents: pd.DataFrame | None = None) -> pd.DataFrame:
    """Breaches decided by GX, one checkpoint per rule; returns findings (breaches and rounding notes).

    GX validates rows that carry their identity (``GX_COLUMNS``: document, unit, year, table, row code and
    label, column, line, printed, expected, tolerance), so its result and Data Docs name the failing cells.
    ``documents`` (document_id, file_name, unit_name, fiscal_year) names them; without it the document id
    stands for the file. With ``docs_dir``, each checkpoint's validation is rendered into GX Data Docs and
    kept there for this refresh (expectations/data_docs.py), and each finding carries its rule's page.
    """
    if comparisons.empty:  # nothing differs: nothing can breach, and GX (4 s to import) is not needed
        return pd.DataFrame(columns=FINDING_COLUMNS)
    import great_expectations as gx

    gx_unexpected_rows.install()  # the failing rows' identities read by column (17 s of 31 at 10,000 reports)
    checks = comparisons.reset_index(drop=True).copy()
    checks["check_id"] = checks.index.astype(int)
    checks["difference"] = (checks["actual"] - checks["expected"]).round(6)
    rows = gx_rows(checks, documents)
    site = data_docs.staging_site(docs_dir) if docs_dir is not None else None
    context = _context(site)
    source = context.data_sources.add_pandas("integrity")
    breached: set[int] = set()
    outcomes: dict[str, tuple[object, int, int]] = {}
    for rule_id, frame in rows.groupby("rule_id", sort=True):
        rule = rules()[rule_id]
        asset = source.add_dataframe_asset(rule_id)
        batch = asset.add_batch_definition_whole_dataframe(f"{rule_id}_all")
        suite = context.suites.add(gx.ExpectationSuite(name=f"integrity.{rule_id}"))
        suite.add_expectation(gx.expectations.ExpectColumnValuesToBeBetween(
            column="beyond_tolerance", max_value=0,
            description=f"{rule.name_zh} ({rule_id}, {rule.severity}): {rule.formula}; "
                        f"|printed − expected| − tolerance ({rule.tolerance}) ≤ 0",
            meta={"rule_id": rule_id, "name_zh": rule.name_zh, "severity": rule.severity}))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"integrity.{rule_id}", data=batch, suite=suite))
        checkpoint = context.checkpoints.add(gx.Checkpoint(
            name=f"integrity.{rule_id}", validation_definitions=[definition],
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": IDENTITY_COLUMNS}))
        run = checkpoint.run(batch_parameters={"dataframe": frame.drop(columns="rule_id").reset_index(drop=True)})
        for identifier, result in run.run_results.items():
            failing = {int(row["check_id"]) for outcome in result.results
                       for row in outcome.result.get("unexpected_index_list") or []}
            breached |= failing
            outcomes[rule_id] = (identifier, len(frame), len(failing))
    checks["breach"] = checks["check_id"].isin(breached)
    pages = data_docs.keep_pages(context, site, docs_dir, outcomes) if site is not None else {}
    checks["data_docs_page"] = checks["rule_id"].map(pages)
    noted = checks[checks["breach"] | (checks["difference"].abs() > EPSILON)].copy()
    return _findings(noted)


# what GX sees of each comparison: its identity, the two values compared and the tolerance
IDENTITY_COLUMNS = ["check_id", "document", "unit", "year", "table_code", "row_code", "row_label", "column_path",
                    "line_no", "printed", "expected", "tolerance"]
GX_COLUMNS = ["rule_id", *IDENTITY_COLUMNS, "difference", "beyond_tolerance"]


def gx_rows(checks: pd.DataFrame, documents: pd.DataFrame | None = None) -> pd.DataFrame:
    """The comparison rows GX validates, named by document, unit and year (DuckDB SQL)."""
    import duckdb

    if documents is None or documents.empty:
        documents = pd.DataFrame({"document_id": checks["document_id"].unique()}).assign(
            file_name=lambda d: d["document_id"], unit_name=None, fiscal_year=None)
    named = documents[["document_id", "file_name", "unit_name", "fiscal_year"]].drop_duplicates("document_id")
    with duckdb.connect() as con:
        con.register("checks", checks[["check_id", "rule_id", "document_id", "table_code", "row_code", "row_label",
                                       "column_path", "line_no", "actual", "expected", "tolerance", "difference"]])
        con.register("named", named)
        return con.sql("""
            select c.rule_id, c.check_id, coalesce(n.file_name, c.document_id) as document,
                   coalesce(n.unit_name::varchar, '') as unit, coalesce(n.fiscal_year::varchar, '') as year,
                   coalesce(c.table_code::varchar, '') as table_code, coalesce(c.row_code::varchar, '') as row_code,
                   coalesce(c.row_label::varchar, '') as row_label,
                   coalesce(c.column_path::varchar, '') as column_path,
                   coalesce(try_cast(c.line_no as bigint)::varchar, '') as line_no,
                   round(c.actual::double, 6) as printed, round(c.expected::double, 6) as expected,
                   round(c.tolerance::double, 6) as tolerance, round(c.difference::double, 6) as difference,
                   round(abs(c.difference::double) - c.tolerance::double, 6) as beyond_tolerance
            from checks c left join named n using (document_id)
            order by c.check_id
        """).df()[GX_COLUMNS]


def _findings(noted: pd.DataFrame) -> pd.DataFrame:
    if noted.empty:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    catalog = rules()
    noted["rule_name"] = noted["rule_id"].map(lambda r: catalog[r].name_zh)
    noted["severity"] = [catalog[r].severity if breach else "info"
                         for r, breach in zip(noted["rule_id"], noted["breach"], strict=True)]
    rows = list(_records(noted))
    noted["finding_id"] = [finding_id(row) for row in rows]
    noted["message"] = [_message(row) for row in rows]
    noted["scope"] = "table"
    return noted.reindex(columns=FINDING_COLUMNS)


def _records(frame: pd.DataFrame):
    """``frame.itertuples(index=False)`` with the same values, read column by column: ``itertuples`` iterates
    an Arrow-backed string column one Python call per value (2.9 M calls, most of 4.5 s for the 130,000
    comparisons of 10,000 real-size reports)."""
    record = namedtuple("Record", frame.columns, rename=True)
    return map(record._make, zip(*(frame.iloc[:, i].tolist() for i in range(frame.shape[1])), strict=True))


def finding_id(row, *extra: str) -> str:
    key = "|".join([*(str(getattr(row, name) or "") for name in
                      ("document_id", "rule_id", "table_code", "side", "row_code", "row_label", "column_path",
                       "line_no")), *extra])
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def unique_finding_ids(findings: pd.DataFrame) -> pd.Series:
    """Finding ids unique by construction: a repeated id (two findings on one row, column and rule) gets
    the hash of its message, and an exact repeat its order of appearance, so every finding keeps its row."""
    ids = findings["finding_id"].astype(str)
    repeated = ids.duplicated(keep=False)
    if not repeated.any():
        return ids
    salted = ids.where(~repeated, [hashlib.sha1(f"{i}|{m}".encode()).hexdigest()[:16]
                                   for i, m in zip(ids, findings["message"].astype(str), strict=True)])
    order = salted.groupby(salted).cumcount()
    return salted.where(order == 0, salted + "-" + order.astype(str))


def _message(row) -> str:
    where = next((v for v in (row.row_code, row.row_label) if isinstance(v, str) and v), "row")
    kind = "breach" if row.breach else "rounding only"
    table = row.table_code if isinstance(row.table_code, str) else "document"
    return (f"{row.rule_name} ({row.rule_id}) {table} {where} [{row.column_path}] line {row.line_no}: "
            f"printed {row.actual:,.2f}, expected {row.expected:,.2f} (= {row.addends}), "
            f"difference {row.difference:+,.2f}, tolerance {row.tolerance:.3f} — {kind}")


def unreadable_rows(issues: pd.DataFrame, table_level: pd.DataFrame | None = None) -> pd.DataFrame:
    """Parse issues inside a table become error findings of origin ``reader`` on that table. One about a
    row holds back that row only; one about the table itself (``table_level``: document_id, table_code,
    line_no of such issues, see expectations.origin.reader_problems; by default all) holds back the table."""
    inside = issues[issues["table_code"].notna()].copy()
    if inside.empty:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    rule = rules()["unreadable_row"]
    inside = inside.assign(
        rule_id=rule.rule_id, rule_name=rule.name_zh, side=None, row_code=None, row_label=inside["line_text"],
        column_path=None, expected=None, actual=None, difference=None, tolerance=None, n_addends=None,
        addends=None, severity=rule.severity, data_docs_page=None, origin="reader",
    )
    inside["finding_id"] = [finding_id(row, str(row.message)) for row in inside.itertuples()]
    inside["line_no"] = inside["line_no"].astype("Int64")
    inside["message"] = [f"{rule.name_zh} {row.table_code} line {row.line_no}: {row.message}"
                         for row in inside.itertuples()]
    if table_level is None:
        inside["scope"] = "table"
    else:
        whole = table_level[["document_id", "table_code", "line_no"]].drop_duplicates().assign(whole=True)
        whole["line_no"] = whole["line_no"].astype("Int64")
        flagged = inside.merge(whole, on=["document_id", "table_code", "line_no"], how="left")["whole"]
        inside["scope"] = np.where(flagged.eq(True).to_numpy() | inside["line_no"].isna().to_numpy(), "table", "row")
    inside["finding_id"] = unique_finding_ids(inside)
    return inside[FINDING_COLUMNS]


def audit_failures(failures: pd.DataFrame) -> pd.DataFrame:
    """Documents whose audit raised (document_id, file_name, error): one finding each, holding back the
    whole document, since none of its rules could be checked."""
    if failures.empty:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    rule = rules()["audit_failed"]
    found = failures.assign(
        table_code=None, side=None, row_code=None, row_label=None, column_path=None, line_no=None,
        rule_id=rule.rule_id, rule_name=rule.name_zh, expected=None, actual=None, difference=None, tolerance=None,
        n_addends=None, addends=None, severity=rule.severity, data_docs_page=None, origin="reader", scope="document",
    )
    found["message"] = [f"{rule.name_zh}: the audit could not run on {row.file_name} ({row.error}); expected every "
                        f"rule of catalog.yml checked, so all its tables are held back until the rules change"
                        for row in found.itertuples()]
    found["finding_id"] = [finding_id(row) for row in found.itertuples()]
    return found[FINDING_COLUMNS]


__all__ = ["COLUMNS", "FINDING_COLUMNS", "audit_failures", "evaluate", "unique_finding_ids", "unreadable_rows"]
