"""The publish gate's audit step: findings for the build, and the tables they hold back.

Every rule reads one document at a time, so only documents whose parse, rules or models changed since
their last audit are audited again (``audit_ledger``); the others keep their findings. Stale documents
are audited in batches, on every core when there are several batches: each batch reads its rows from
the build database (read-only) and computes the rules' comparisons. Only comparisons whose printed and
expected values differ go to Great Expectations (an exact match cannot exceed a tolerance ≥ 0), so its
checkpoints see thousands of rows, not millions. Waivers are applied to the whole ledger, then
``audit.dq_finding`` and ``audit.quarantined_scope`` are rewritten for the marts. Only unwaived
``error`` findings quarantine, and only their scope: one table of one document.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path

import duckdb
import pandas as pd

from expectations.audit_ledger import (
    LEDGER_COLUMNS,
    audit_fingerprint,
    ensure_ledger,
    ledger,
    record_audit,
    stale_documents,
)
from expectations.base_data_checks import base_data_comparisons
from expectations.budget_checks import budget_comparisons
from expectations.comparisons import all_comparisons
from expectations.completeness_checks import completeness_comparisons
from expectations.narrative_checks import narrative_comparisons
from expectations.narrative_figure_checks import figure_comparisons
from expectations.rescoring_checks import rescoring_comparisons
from expectations.score_checks import score_comparisons
from expectations.suite import FINDING_COLUMNS, evaluate, unreadable_rows
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
    n_documents_audited: int = 0  # audited in this refresh (the rest kept their findings)
    n_candidates: int = 0  # comparisons handed to GX (printed ≠ expected)


@dataclass(frozen=True)
class BatchAudit:
    candidates: pd.DataFrame  # comparison rows whose printed and expected values differ
    n_checks: pd.DataFrame  # document_id, n_checks (every document of the batch)
    unreadable: pd.DataFrame  # findings for rows the parser could not read


# what the rules read, in the order document_comparisons takes them
AUDITED_RELATIONS = ("intermediate.int_amounts_classified", "staging.stg_raw__narrative_claims",
                     "intermediate.int_performance_indicators_resolved", "staging.stg_raw__performance_tables",
                     "intermediate.int_narrative_figures_classified")
# the columns of int_amounts_classified the rules read (the others: keys and provenance for the marts);
# every column read is filtered and merged many times per batch, so this is a third of the audit's time
AUDITED_AMOUNT_COLUMNS = ("document_id", "report_kind", "table_code", "side", "row_label", "line_item", "row_code",
                          "row_number", "classification_code", "indicator_name", "column_path", "column_number",
                          "value_text", "amount_printed", "printed_unit", "amount_wan", "line_no")
AUDIT_BATCH = 400  # documents per batch: every rule is within one document, so memory stays bounded


def run_integrity(build_db: Path, raw_db: Path, waivers_path: Path | None = None,
                  docs_dir: Path | None = None, workers: int | None = None) -> IntegrityOutcome:
    fingerprint = audit_fingerprint()
    ensure_ledger(build_db)
    with duckdb.connect(str(build_db), read_only=True) as build:
        build.execute(f"attach '{raw_db}' as raw (read_only)")
        stale = stale_documents(build, fingerprint)
        documents = build.sql("select document_id, file_name, unit_name, fiscal_year, parsed_at "
                              "from staging.stg_raw__documents").df()
    batches = [stale[i:i + AUDIT_BATCH] for i in range(0, len(stale), AUDIT_BATCH)]
    audits = list(_audit_batches(build_db, raw_db, batches, workers or os.cpu_count() or 1))
    candidates = pd.concat([a.candidates for a in audits], ignore_index=True) if audits else pd.DataFrame()
    fresh = pd.concat([evaluate(candidates, docs_dir), *(a.unreadable for a in audits)], ignore_index=True)
    n_checks = (pd.concat([a.n_checks for a in audits], ignore_index=True) if audits
                else pd.DataFrame({"document_id": pd.Series(dtype=str), "n_checks": pd.Series(dtype=int)}))
    with duckdb.connect(str(build_db)) as build:
        build.execute("begin transaction")
        record_audit(build, fingerprint, n_checks, fresh.reindex(columns=FINDING_COLUMNS), documents)
        remembered, total_checks = ledger(build)
        findings = apply_waivers(remembered, load_waivers(waivers_path))
        findings = findings.merge(documents.drop(columns="parsed_at"), on="document_id", how="left")
        findings["first_seen_at"] = _remember(raw_db, findings["finding_id"].tolist())
        blocking = findings[(findings["severity"] == "error") & ~findings["waived"] & findings["table_code"].notna()]
        scope = (
            blocking.groupby(["document_id", "table_code"])
            .agg(rule_ids=("rule_id", lambda s: ",".join(sorted(set(s)))), n_findings=("finding_id", "size"))
            .reset_index()
        )
        _write_audit(build, findings, scope)
        build.execute("commit")
    return IntegrityOutcome(
        n_checks=total_checks,
        n_findings=len(findings),
        by_severity=findings["severity"].value_counts().to_dict(),
        n_waived=int(findings["waived"].sum()),
        quarantined_tables=list(scope[["document_id", "table_code"]].itertuples(index=False, name=None)),
        n_documents_audited=len(stale),
        n_candidates=len(candidates),
    )


def _audit_batches(build_db: Path, raw_db: Path, batches: list[list[str]], workers: int):
    if workers <= 1 or len(batches) < 2:
        yield from (audit_batch(build_db, raw_db, batch) for batch in batches)
        return
    with ProcessPoolExecutor(max_workers=min(workers, len(batches))) as pool:
        yield from pool.map(audit_batch, repeat(build_db), repeat(raw_db), batches)


def audit_batch(build_db: Path, raw_db: Path, document_ids: list[str]) -> BatchAudit:
    """Every rule's comparisons for one batch of documents (all of a document's tables at once), read
    from the build database; only those that differ are kept for Great Expectations."""
    with duckdb.connect(str(build_db), read_only=True) as build:
        build.execute(f"attach '{raw_db}' as raw (read_only)")
        build.register("audit_batch", pd.DataFrame({"document_id": document_ids}))

        def rows(relation: str) -> pd.DataFrame:
            columns = ", ".join(AUDITED_AMOUNT_COLUMNS) if relation == AUDITED_RELATIONS[0] else "*"
            return build.sql(
                f"select {columns} from {relation} where document_id in (select document_id from audit_batch)").df()

        frames = [rows(relation) for relation in AUDITED_RELATIONS]
        tables = rows("staging.stg_raw__report_tables")[["document_id", "table_code", "last_line"]]
        documents = rows("staging.stg_raw__documents")[["document_id", "report_kind"]]
        issues = rows("staging.stg_raw__parse_issues")
    comparisons = pd.concat([document_comparisons(*frames), completeness_comparisons(tables, documents)],
                            ignore_index=True)
    counts = comparisons.groupby("document_id").size()
    n_checks = pd.DataFrame({"document_id": document_ids})
    n_checks["n_checks"] = n_checks["document_id"].map(counts).fillna(0).astype(int)
    differs = (comparisons["actual"].astype(float) - comparisons["expected"].astype(float)).round(6) != 0
    return BatchAudit(candidates=comparisons[differs].reset_index(drop=True), n_checks=n_checks,
                      unreadable=unreadable_rows(issues))


def document_comparisons(amounts: pd.DataFrame, claims: pd.DataFrame, nodes: pd.DataFrame,
                         score_tables: pd.DataFrame, figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every rule's comparisons for the documents in these frames (the shapes of int_amounts_classified,
    stg_raw__narrative_claims, int_performance_indicators_resolved, stg_raw__performance_tables and
    int_narrative_figures_classified)."""
    # narrative figures are matched to a 决算's tables; of a report without tables only its staffing rates
    with_tables = set(amounts["document_id"].unique())
    claims = claims[claims["document_id"].map(with_tables.__contains__) | (claims["claim_kind"] == "staffing_rate")]
    return pd.concat([
        all_comparisons(amounts[amounts["amount_wan"].notna()]), narrative_comparisons(amounts, claims),
        budget_comparisons(amounts), base_data_comparisons(amounts), score_comparisons(nodes, score_tables),
        rescoring_comparisons(nodes, claims), figure_comparisons(amounts, figures),
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


def _write_audit(build: duckdb.DuckDBPyConnection, findings: pd.DataFrame, scope: pd.DataFrame) -> None:
    # the ledger's columns (typed again after the pandas round trip), then where and since when
    columns = f"{LEDGER_COLUMNS}, file_name, unit_name, fiscal_year, waived, waiver_reason, first_seen_at"
    build.register("incoming_findings", findings)
    build.register("incoming_scope", scope)
    build.execute(f"create or replace table audit.dq_finding as select {columns} from incoming_findings")
    build.execute(
        "create or replace table audit.quarantined_scope as "
        "select document_id, table_code, rule_ids, n_findings::integer as n_findings from incoming_scope"
    )
    build.unregister("incoming_findings")
    build.unregister("incoming_scope")
