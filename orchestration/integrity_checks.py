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
    summaries, top_rows = current_findings(paths.build_db, paths.raw_db)
    selected = {key.name for key in context.selected_asset_check_keys}
    for rule in rules().values():
        if rule.rule_id in selected:
            yield check_result(rule, summaries.get(rule.rule_id, {}), top_rows[top_rows["rule_id"] == rule.rule_id])


_CURRENT_FINDINGS = """
    select f.rule_id, f.severity, coalesce(f.waived, false) as waived, f.document_id, f.unit_name, f.file_name,
           f.fiscal_year, f.table_code, f.row_code, f.row_label, f.column_path, f.line_no, f.page_no,
           round(f.actual, 4) as actual, round(f.expected, 4) as expected, round(f.tolerance, 4) as tolerance,
           f.origin, f.data_docs_page, f.message
    from marts.dq_finding f
    join marts.dim_document d using (document_id)
    where f.severity in ('error', 'warning') and d.is_current_version
"""


def current_findings(build_db: Path, raw_db: Path) -> tuple[dict[str, dict], pd.DataFrame]:
    """Error and warning findings of the current version of every report, counted per rule, and each rule's
    first TOP_ROWS unwaived findings with where they are (in file, table, line and column order). Counted in
    DuckDB: only the rows a check names reach Python, however many findings there are. The findings are read
    twice on purpose: the count reads a few columns, and a temporary table of every finding with its message
    cost more (0.76 s against 0.59 s at 100,000 reports)."""
    with duckdb.connect(str(build_db), read_only=True) as con:
        con.execute(f"attach '{raw_db}' as raw (read_only)")
        counted = con.sql(f"""
            with findings as ({_CURRENT_FINDINGS})
            select rule_id,
                   count(*) filter (where not waived) as failing,
                   count(*) filter (where waived) as waived,
                   count(distinct [document_id, table_code])
                       filter (where not waived and severity = 'error') as tables_held_back,
                   count(distinct document_id) filter (where not waived) as documents,
                   count(*) filter (where not waived and origin = 'source') as of_source,
                   count(*) filter (where not waived and origin = 'reader') as of_reader,
                   -- the newest run's page (runs/<UTC time>-<random>/<rule>.html)
                   max(data_docs_page) filter (where not waived and data_docs_page <> '') as data_docs_page
            from findings
            group by rule_id
        """).fetchall()
        top_rows = con.sql(f"""
            with findings as ({_CURRENT_FINDINGS})
            select * exclude (k) from (
                select *, row_number() over (
                    partition by rule_id order by file_name, table_code, line_no, column_path) as k
                from findings
                where not waived
            )
            where k <= {TOP_ROWS}
            order by rule_id, k
        """).df()
    names = ["failing", "waived", "tables_held_back", "documents", "of_source", "of_reader", "data_docs_page"]
    return {row[0]: dict(zip(names, row[1:], strict=True)) for row in counted}, top_rows


def check_result(rule: Rule, counts: dict, top_rows: pd.DataFrame) -> AssetCheckResult:
    """The check of one rule: its counts (``current_findings``; none for a rule without findings) and its
    first unwaived findings, in order."""
    failing = int(counts.get("failing", 0))
    severity = AssetCheckSeverity.ERROR if rule.severity == "error" else AssetCheckSeverity.WARN
    metadata = {
        "rule": rule.name_zh,
        "failing": failing,
        "waived": int(counts.get("waived", 0)),
        "tables_held_back": int(counts.get("tables_held_back", 0)),
        "documents": int(counts.get("documents", 0)),
        "of_source": int(counts.get("of_source", 0)),
        "of_reader": int(counts.get("of_reader", 0)),
    }
    if failing:
        metadata["offending_rows"] = MetadataValue.md(offending_table(top_rows))
        metadata["offending_rows_json"] = MetadataValue.json(
            [{k: _plain(v) for k, v in row.items()} for row in top_rows[ROW_COLUMNS].to_dict("records")])
    if counts.get("data_docs_page"):
        metadata["data_docs"] = MetadataValue.url(_url(counts["data_docs_page"]))
    return AssetCheckResult(check_name=rule.rule_id, asset_key=AssetKey(rule.guarded_asset), passed=not failing,
                            severity=severity, metadata=metadata,
                            description=top_rows["message"].iloc[0] if failing else None)


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
