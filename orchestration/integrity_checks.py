"""Every integrity rule of expectations/catalog.yml as a Dagster asset check on the asset it guards.

The checks are generated from the catalog (one spec per rule, named by its rule id), so the UI's run and
asset pages show each rule by name: failed with severity ERROR when an error rule holds something back (the
quarantine is what an error rule gates: its table or row leaves the marts, the rest publishes), WARN for a
warning rule's findings. Each result carries the number of failing comparisons, the tables held back, the
first offending rows (unit, document, table, row code/label, column, printed, expected, tolerance) and the
link to the rule's Data Docs page. The checks read the findings the audit wrote (``marts.dq_finding``) of
the current version of each report; waived findings are counted apart and do not fail a check.
"""

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)

from expectations.catalog import Rule, rules
from orchestration.resources import WarehouseResource

TOP_ROWS = 10  # offending rows named in a check's metadata (the Data Docs page and dq_finding have them all)
ROW_COLUMNS = ["unit_name", "file_name", "fiscal_year", "table_code", "row_code", "row_label", "column_path",
               "line_no", "page_no", "actual", "expected", "tolerance"]
FINDINGS_ASSET = AssetKey(["marts", "dq_finding"])


def check_specs() -> list[AssetCheckSpec]:
    """One spec per catalog rule, on the asset the rule guards."""
    return [AssetCheckSpec(name=rule.rule_id, asset=AssetKey(rule.guarded_asset), description=describe(rule),
                           additional_deps=[FINDINGS_ASSET], blocking=False)
            for rule in rules().values()]


def describe(rule: Rule) -> str:
    effect = "holds back its table or row" if rule.severity == "error" else "published, alerted"
    return f"{rule.name_zh}: {rule.formula} (tolerance {rule.tolerance}; {rule.severity}: {effect})"


@multi_asset_check(specs=check_specs(), name="integrity_rules", can_subset=True)
def integrity_rules(context: AssetCheckExecutionContext, warehouse: WarehouseResource
                    ) -> Iterator[AssetCheckResult]:
    """Why: a held-back table must show in the UI, by rule, with the row that breaks it."""
    paths = warehouse.paths()
    findings = current_findings(paths.build_db, paths.raw_db)
    selected = {key.name for key in context.selected_asset_check_keys}
    for rule in rules().values():
        if rule.rule_id in selected:
            yield check_result(rule, findings[findings["rule_id"] == rule.rule_id])


def current_findings(build_db: Path, raw_db: Path) -> pd.DataFrame:
    """Error and warning findings of the current version of every report, with where they are."""
    with duckdb.connect(str(build_db), read_only=True) as con:
        con.execute(f"attach '{raw_db}' as raw (read_only)")
        return con.sql("""
            select f.rule_id, f.severity, f.waived, f.document_id, f.unit_name, f.file_name, f.fiscal_year,
                   f.table_code, f.row_code, f.row_label, f.column_path, f.line_no, f.page_no,
                   round(f.actual, 4) as actual, round(f.expected, 4) as expected,
                   round(f.tolerance, 4) as tolerance, f.origin, f.data_docs_page, f.message
            from marts.dq_finding f
            join marts.dim_document d using (document_id)
            where f.severity in ('error', 'warning') and d.is_current_version
            order by f.file_name, f.table_code, f.line_no, f.column_path
        """).df()


def check_result(rule: Rule, findings: pd.DataFrame) -> AssetCheckResult:
    failing = findings[~findings["waived"].astype(bool)]
    severity = AssetCheckSeverity.ERROR if rule.severity == "error" else AssetCheckSeverity.WARN
    held = failing[failing["severity"] == "error"]
    pages = [p for p in dict.fromkeys(failing["data_docs_page"].dropna()) if p]
    metadata = {
        "rule": rule.name_zh,
        "failing": len(failing),
        "waived": int(len(findings) - len(failing)),
        "tables_held_back": int(held[["document_id", "table_code"]].drop_duplicates().shape[0]),
        "documents": int(failing["document_id"].nunique()),
        "of_source": int((failing["origin"] == "source").sum()),
        "of_reader": int((failing["origin"] == "reader").sum()),
    }
    if len(failing):
        top = failing.head(TOP_ROWS)
        metadata["offending_rows"] = MetadataValue.md(offending_table(top))
        metadata["offending_rows_json"] = MetadataValue.json(
            [{k: _plain(v) for k, v in row.items()} for row in top[ROW_COLUMNS].to_dict("records")])
    if pages:
        metadata["data_docs"] = MetadataValue.url(_url(pages[-1]))
    return AssetCheckResult(check_name=rule.rule_id, asset_key=AssetKey(rule.guarded_asset), passed=failing.empty,
                            severity=severity, metadata=metadata,
                            description=None if failing.empty else failing["message"].iloc[0])


def offending_table(rows: pd.DataFrame) -> str:
    header = ["unit", "document", "year", "table", "row code", "row", "column", "line", "printed", "expected",
              "tolerance"]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for row in rows.itertuples():
        cells = [row.unit_name, row.file_name, row.fiscal_year, row.table_code, row.row_code, row.row_label,
                 row.column_path, row.line_no, _number(row.actual), _number(row.expected), _number(row.tolerance)]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def _url(page: str) -> str:
    return page if "://" in page else Path(page).resolve().as_uri()


def _number(value) -> str:
    return "" if value is None or pd.isna(value) else f"{value:,.2f}"


def _cell(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).replace("|", "\\|").replace("\n", " ")


def _plain(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value
