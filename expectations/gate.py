"""The publish gate's audit step: findings for the build, and the tables they hold back.

Reads the audited amounts from the build database in bulk, evaluates every rule of the catalog,
applies waivers, and writes ``audit.dq_finding`` and ``audit.quarantined_scope`` back into the
build database, where the marts models read them. Only unwaived ``error`` findings quarantine, and
only their scope: one table of one document.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from expectations.base_data_checks import base_data_comparisons
from expectations.budget_checks import budget_comparisons
from expectations.comparisons import all_comparisons
from expectations.completeness_checks import completeness_comparisons
from expectations.narrative_checks import narrative_comparisons
from expectations.rescoring_checks import rescoring_comparisons
from expectations.score_checks import score_comparisons
from expectations.suite import evaluate, unreadable_rows
from expectations.waivers import apply_waivers, load_waivers

FINDING_HISTORY_DDL = """
create table if not exists finding_history (
    finding_id varchar primary key,
    first_seen_at timestamp not null,
    last_seen_at timestamp not null
)
"""


@dataclass(frozen=True)
class IntegrityOutcome:
    n_checks: int
    n_findings: int
    by_severity: dict[str, int]
    n_waived: int
    quarantined_tables: list[tuple[str, str]]


# what the rules read, in the order document_comparisons takes them
AUDITED_RELATIONS = ("intermediate.int_amounts_classified", "staging.stg_raw__narrative_claims",
                     "intermediate.int_performance_indicators_resolved", "staging.stg_raw__performance_tables")
AUDIT_BATCH = 400  # documents per batch: every rule is within one document, so memory stays bounded


def run_integrity(build_db: Path, raw_db: Path, waivers_path: Path | None = None,
                  docs_dir: Path | None = None) -> IntegrityOutcome:
    with duckdb.connect(str(build_db), read_only=True) as build:
        build.execute(f"attach '{raw_db}' as raw (read_only)")
        issues = build.sql("select * from staging.stg_raw__parse_issues").df()
        documents = build.sql(
            "select document_id, file_name, unit_name, fiscal_year, report_kind from staging.stg_raw__documents"
        ).df()
        tables = build.sql("select document_id, table_code, last_line from staging.stg_raw__report_tables").df()
        audited = [row[0] for row in build.sql(
            "select document_id from intermediate.int_amounts_classified "
            "union select document_id from intermediate.int_performance_indicators_resolved order by 1").fetchall()]
        parts = [_document_comparisons(build, audited[i:i + AUDIT_BATCH])
                 for i in range(0, len(audited), AUDIT_BATCH)]
    parts.append(completeness_comparisons(tables, documents))
    comparisons = pd.concat(parts, ignore_index=True)
    findings = pd.concat([evaluate(comparisons, docs_dir), unreadable_rows(issues)], ignore_index=True)
    findings = apply_waivers(findings, load_waivers(waivers_path))
    findings = findings.merge(documents.drop(columns="report_kind"), on="document_id", how="left")
    findings["first_seen_at"] = _remember(raw_db, findings["finding_id"].tolist())
    blocking = findings[(findings["severity"] == "error") & ~findings["waived"] & findings["table_code"].notna()]
    scope = (
        blocking.groupby(["document_id", "table_code"])
        .agg(rule_ids=("rule_id", lambda s: ",".join(sorted(set(s)))), n_findings=("finding_id", "size"))
        .reset_index()
    )
    _write_audit(build_db, findings, scope)
    return IntegrityOutcome(
        n_checks=len(comparisons),
        n_findings=len(findings),
        by_severity=findings["severity"].value_counts().to_dict(),
        n_waived=int(findings["waived"].sum()),
        quarantined_tables=list(scope[["document_id", "table_code"]].itertuples(index=False, name=None)),
    )


def _document_comparisons(build: duckdb.DuckDBPyConnection, document_ids: list[str]) -> pd.DataFrame:
    """Every rule's comparisons for one batch of documents (all of a document's tables at once)."""
    build.register("audit_batch", pd.DataFrame({"document_id": document_ids}))

    def rows(relation: str) -> pd.DataFrame:
        return build.sql(f"select * from {relation} where document_id in (select document_id from audit_batch)").df()

    frames = [rows(relation) for relation in AUDITED_RELATIONS]
    build.unregister("audit_batch")
    return document_comparisons(*frames)


def document_comparisons(amounts: pd.DataFrame, claims: pd.DataFrame, nodes: pd.DataFrame,
                         score_tables: pd.DataFrame) -> pd.DataFrame:
    """Every rule's comparisons for the documents in these frames (the shapes of int_amounts_classified,
    stg_raw__narrative_claims, int_performance_indicators_resolved and stg_raw__performance_tables)."""
    # narrative figures are matched to a 决算's tables; of a report without tables only its staffing rates
    with_tables = set(amounts["document_id"].unique())
    claims = claims[claims["document_id"].map(with_tables.__contains__) | (claims["claim_kind"] == "staffing_rate")]
    return pd.concat([
        all_comparisons(amounts[amounts["amount_wan"].notna()]), narrative_comparisons(amounts, claims),
        budget_comparisons(amounts), base_data_comparisons(amounts), score_comparisons(nodes, score_tables),
        rescoring_comparisons(nodes, claims),
    ], ignore_index=True)


def _remember(raw_db: Path, finding_ids: list[str]) -> list[datetime]:
    """first_seen_at of each finding, kept across refreshes in the raw database."""
    now = datetime.now(UTC).replace(tzinfo=None)
    seen = pd.DataFrame({"finding_id": finding_ids})  # noqa: F841 (scanned by duckdb by name)
    with duckdb.connect(str(raw_db)) as raw:
        raw.execute(FINDING_HISTORY_DDL)
        raw.execute(
            "insert into finding_history select finding_id, ?, ? from seen "
            "on conflict (finding_id) do update set last_seen_at = excluded.last_seen_at",
            [now, now],
        )
        first = dict(raw.execute(
            "select h.finding_id, h.first_seen_at from finding_history h join seen using (finding_id)"
        ).fetchall())
    return [first.get(fid, now) for fid in finding_ids]


def _write_audit(build_db: Path, findings: pd.DataFrame, scope: pd.DataFrame) -> None:
    columns = ("finding_id, document_id, file_name, unit_name, fiscal_year, table_code, side, row_code, row_label, "
               "column_path, line_no::integer as line_no, rule_id, rule_name, expected::double as expected, "
               "actual::double as actual, difference::double as difference, tolerance::double as tolerance, "
               "n_addends::integer as n_addends, addends, severity, waived, waiver_reason, message, "
               "data_docs_page::varchar as data_docs_page, first_seen_at")
    with duckdb.connect(str(build_db)) as build:
        build.execute("create schema if not exists audit")
        build.register("incoming_findings", findings)
        build.register("incoming_scope", scope)
        build.execute(f"create or replace table audit.dq_finding as select {columns} from incoming_findings")
        build.execute(
            "create or replace table audit.quarantined_scope as "
            "select document_id, table_code, rule_ids, n_findings::integer as n_findings from incoming_scope"
        )
