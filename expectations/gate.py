"""The publish gate's audit step: findings for the build, and the tables they hold back.

Every rule reads one document at a time, so only documents whose parse, rules or models changed since
their last audit are audited again (``audit_ledger``); the others keep their findings. Stale documents
are audited in batches, on every core when there are several batches: each batch reads its rows from
the build database (read-only) and computes the rules' comparisons. Only comparisons whose printed and
expected values differ go to Great Expectations (an exact match cannot exceed a tolerance ≥ 0), so its
checkpoints see thousands of rows, not millions. Waivers are applied to the whole ledger, then
``audit.dq_finding`` and ``audit.quarantined_scope`` are rewritten for the marts, in the build database
itself (SQL): only the findings of the documents audited now pass through pandas. Only unwaived
``error`` findings quarantine, and only their scope: one table of one document, or one row of it for a
row the reader could not read.

Each finding says whose problem it is (``origin``: source | reader, expectations/origin.py). A rule that
raises on a document is that document's problem only: the batch is audited again in halves until the
document is alone, which gets an ``audit_failed`` finding holding back all its tables; the rest goes on.
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
import psycopg

from expectations import data_docs
from expectations.audit_ledger import (
    LEDGER_NAMES,
    audit_fingerprint,
    checks_made,
    ensure_ledger,
    record_audit,
    stale_documents,
)
from expectations.base_data_checks import base_data_comparisons
from expectations.budget_checks import budget_comparisons
from expectations.build_database import Build, BuildDatabase
from expectations.comparisons import all_comparisons
from expectations.completeness_checks import completeness_comparisons
from expectations.gx_worker import evaluate
from expectations.narrative_checks import narrative_comparisons
from expectations.narrative_figure_checks import figure_comparisons
from expectations.origin import PROBLEM_COLUMNS, assign_origin, reader_problems
from expectations.rescoring_checks import rescoring_comparisons
from expectations.score_checks import score_comparisons
from expectations.suite import FINDING_COLUMNS, audit_failures, unique_finding_ids, unreadable_rows
from expectations.waivers import WAIVER_REASON, Waiver, load_waivers, waivers_frame
from ingest.faults import injected_files, raise_if_injected

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


FAILURE_COLUMNS = ["document_id", "file_name", "error"]
# failures of the machine, not of a document: they stop the audit instead of holding documents back
INFRASTRUCTURE_ERRORS = (MemoryError, OSError, duckdb.IOException, duckdb.ConnectionException,
                         psycopg.OperationalError)


@dataclass(frozen=True)
class BatchAudit:
    candidates: pd.DataFrame  # comparison rows whose printed and expected values differ
    n_checks: pd.DataFrame  # document_id, n_checks (every document of the batch)
    unreadable: pd.DataFrame  # findings for rows the parser could not read
    problems: pd.DataFrame  # where the reader had trouble (expectations.origin.PROBLEM_COLUMNS)
    failed: pd.DataFrame  # documents whose audit raised: document_id, file_name, error


# what the rules read, in the order document_comparisons takes them
AUDITED_RELATIONS = ("intermediate.int_amounts_classified", "staging.stg_raw__narrative_claims",
                     "intermediate.int_performance_indicators_scored", "staging.stg_raw__performance_tables",
                     "intermediate.int_narrative_figures_classified")
# the columns of int_amounts_classified the rules read (the others: keys and provenance for the marts);
# every column read is filtered and merged many times per batch, so this is a third of the audit's time
AUDITED_AMOUNT_COLUMNS = ("document_id", "report_kind", "table_code", "side", "row_label", "line_item", "row_code",
                          "row_number", "classification_code", "indicator_name", "column_path", "column_number",
                          "value_text", "amount_printed", "printed_unit", "amount_wan", "line_no")
# the order the rules read each relation in (reading order): an addend list (a+b+c) and a float sum follow
# the order of the rows, which without one is whatever the engine's plan gives (not the same on both targets)
READING_ORDER = {
    "intermediate.int_amounts_classified": "document_id, line_no, column_number nulls last, fact_id",
    "staging.stg_raw__narrative_claims": "document_id, line_no, claim_kind, target_table, target_row, target_column",
    "intermediate.int_performance_indicators_scored": "document_id, table_code, position",
    "staging.stg_raw__performance_tables": "document_id, table_code",
    "intermediate.int_narrative_figures_classified": "document_id, figure_no",
    "staging.stg_raw__report_tables": "document_id, first_line, table_code",
    "staging.stg_raw__documents": "document_id",
    "staging.stg_raw__parse_issues": "document_id, line_no nulls first, table_code, message",
}
AUDIT_BATCH = 400  # documents per batch: every rule is within one document, so memory stays bounded
# comparisons per Great Expectations evaluation, whole documents each: GX holds every failing row of a
# validation several times over (its results, their JSON, Data Docs); the 1.3 M comparisons of 100,000
# reports in one evaluation took its process to 6.3 GB (docs/BENCHMARKS.md)
GX_CHUNK = 200_000


def run_integrity(build_db: Build, raw_db: Path, waivers_path: Path | None = None,
                  docs_dir: Path | None = None, workers: int | None = None) -> IntegrityOutcome:
    fingerprint = audit_fingerprint()
    ensure_ledger(build_db)
    with BuildDatabase(build_db, raw_db, read_only=True) as build:
        stale = stale_documents(build, fingerprint)
        documents = build.df("select document_id, file_name, unit_name, fiscal_year, parsed_at "
                             "from staging.stg_raw__documents")
    batches = [stale[i:i + AUDIT_BATCH] for i in range(0, len(stale), AUDIT_BATCH)]
    audits = list(_audit_batches(build_db, raw_db, batches, workers or os.cpu_count() or 1))
    candidates = _concat([a.candidates for a in audits])
    problems = _concat([a.problems for a in audits], PROBLEM_COLUMNS)
    failed = _concat([a.failed for a in audits], FAILURE_COLUMNS)
    unreadable = [a.unreadable for a in audits]
    n_checks = _concat([a.n_checks for a in audits], ["document_id", "n_checks"])
    # the batches' comparisons are in ``candidates`` now, and those in the findings once GX has judged them:
    # neither copy is kept past that (1.3 M comparisons of 100,000 reports are over a GB each)
    del audits
    n_candidates = len(candidates)
    evaluated, not_evaluated = _evaluate_in_chunks(candidates, docs_dir, documents)
    del candidates
    failed = _concat([failed, not_evaluated], FAILURE_COLUMNS)
    fresh = _concat([evaluated, *unreadable, audit_failures(failed)], FINDING_COLUMNS)
    del evaluated, unreadable
    fresh = fresh[~(fresh["document_id"].isin(set(failed["document_id"])) & (fresh["rule_id"] != "audit_failed"))]
    fresh = fresh.assign(origin=assign_origin(fresh, problems), scope=fresh["scope"].fillna("table"))
    fresh["finding_id"] = unique_finding_ids(fresh)
    for name in injected_files("audit.duplicate_ids"):
        ids = set(documents.loc[documents["file_name"] == name, "document_id"])
        fresh.loc[fresh["document_id"].isin(ids), "finding_id"] = "f" * 16
    fresh["first_seen_at"] = pd.Series(_remember(raw_db, fresh["finding_id"].tolist()), index=fresh.index,
                                       dtype="datetime64[us]")  # typed when empty too (a server column)
    fresh = fresh.reindex(columns=[*FINDING_COLUMNS, "first_seen_at"])  # in place of the wider frame
    waivers = load_waivers(waivers_path)
    with BuildDatabase(build_db, raw_db) as build, build.transaction():
        record_audit(build, fingerprint, n_checks, fresh, documents)
        _write_audit(build, waivers)
        outcome = _summary(build, n_documents_audited=len(stale), n_candidates=n_candidates)
        pages = {row[0] for row in build.rows("select distinct data_docs_page from audit.dq_finding "
                                              "where data_docs_page is not null")}
    if docs_dir is not None:  # every page a finding links to stays; the rest beyond the newest few goes
        data_docs.prune(docs_dir, pages)
    return outcome


def _concat(frames: list[pd.DataFrame], columns: list[str] | None = None) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=columns) if columns else pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    return out.reindex(columns=columns) if columns else out


def _audit_batches(build_db: Build, raw_db: Path, batches: list[list[str]], workers: int):
    if workers <= 1 or len(batches) < 2:
        yield from (audit_batch(build_db, raw_db, batch) for batch in batches)
        return
    with ProcessPoolExecutor(max_workers=min(workers, len(batches))) as pool:
        yield from pool.map(audit_batch, repeat(build_db), repeat(raw_db), batches)


def audit_batch(build_db: Build, raw_db: Path, document_ids: list[str]) -> BatchAudit:
    """``audit_documents`` for a batch; if a rule raises, the batch is audited again in halves until the
    document it raises on is alone: that document is recorded as failed, the others audited as usual."""
    try:
        return audit_documents(build_db, raw_db, document_ids)
    except INFRASTRUCTURE_ERRORS:
        raise
    except Exception as exc:
        if len(document_ids) == 1:
            return _failed_audit(build_db, raw_db, document_ids[0], exc)
        middle = len(document_ids) // 2
        halves = [audit_batch(build_db, raw_db, part) for part in (document_ids[:middle], document_ids[middle:])]
        if all(len(h.failed) == len(part) for h, part in zip(halves, (document_ids[:middle], document_ids[middle:]),
                                                              strict=True)):
            raise  # every document fails alone: the rules are broken, not the documents
        return BatchAudit(*(_concat([getattr(h, name) for h in halves]) for name in BatchAudit.__dataclass_fields__))


def _failed_audit(build_db: Build, raw_db: Path, document_id: str, exc: Exception) -> BatchAudit:
    with BuildDatabase(build_db, raw_db, read_only=True) as build:
        names = build.rows("select file_name from staging.stg_raw__documents where document_id = ?", [document_id])
    error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return BatchAudit(candidates=pd.DataFrame(), unreadable=pd.DataFrame(columns=FINDING_COLUMNS),
                      n_checks=pd.DataFrame({"document_id": [document_id], "n_checks": [0]}),
                      problems=pd.DataFrame(columns=PROBLEM_COLUMNS),
                      failed=pd.DataFrame([{"document_id": document_id, "file_name": names[0][0] if names else "",
                                            "error": error}]))


def _evaluate_in_chunks(candidates: pd.DataFrame, docs_dir: Path | None,
                        documents: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``_evaluate_isolated`` on parts of at most ``GX_CHUNK`` comparisons, each holding whole documents (every
    rule compares within one document, so the findings are those of one evaluation); each part's Data Docs
    pages are its own. A part's documents GX fails on fail alone; only every document failing fails the audit."""
    if len(candidates) <= GX_CHUNK:
        return _evaluate_isolated(candidates, docs_dir, documents)
    results = [_evaluate_isolated(part, docs_dir, documents, whole=False)
               for part in _document_chunks(candidates, GX_CHUNK)]
    found = _concat([evaluated for evaluated, _ in results], FINDING_COLUMNS)
    failed = _concat([not_evaluated for _, not_evaluated in results], FAILURE_COLUMNS)
    if len(failed) == candidates["document_id"].nunique():
        raise RuntimeError(f"Great Expectations failed on every document ({failed['error'].iloc[0]})")
    return found, failed


def _document_chunks(candidates: pd.DataFrame, size: int) -> list[pd.DataFrame]:
    """The candidates in parts of whole documents, each of at most ``size`` rows (a document with more is a
    part of its own), in document order."""
    counts = candidates.groupby("document_id", sort=True).size()
    parts: list[list[str]] = [[]]
    n = 0
    for document_id, rows in counts.items():
        if parts[-1] and n + rows > size:
            parts.append([])
            n = 0
        parts[-1].append(document_id)
        n += rows
    return [candidates[candidates["document_id"].isin(set(ids))] for ids in parts]


def _evaluate_isolated(candidates: pd.DataFrame, docs_dir: Path | None, documents: pd.DataFrame,
                       whole: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """GX's verdict on the candidates; if it raises, each document's candidates alone, and the documents
    it still raises on are returned as failed (document_id, file_name, error). When the candidates are the
    ``whole`` audit, GX failing on its only document, or on every one, raises instead (the rules are broken);
    on a part of the audit the caller decides that."""
    try:
        return evaluate(candidates, docs_dir, documents), pd.DataFrame(columns=FAILURE_COLUMNS)
    except INFRASTRUCTURE_ERRORS:
        raise
    except Exception:
        if whole and candidates["document_id"].nunique() < 2:
            raise
    names = dict(zip(documents["document_id"], documents["file_name"], strict=True))
    found, failed = [], []
    for document_id, rows in candidates.groupby("document_id", sort=True):
        try:
            found.append(evaluate(rows, docs_dir, documents))
        except INFRASTRUCTURE_ERRORS:
            raise
        except Exception as exc:
            failed.append({"document_id": document_id, "file_name": names.get(document_id, ""),
                           "error": f"Great Expectations: {type(exc).__name__}: {exc}"})
    if whole and len(failed) == candidates["document_id"].nunique():
        raise RuntimeError(f"Great Expectations failed on every document ({failed[0]['error']})")
    return _concat(found, FINDING_COLUMNS), pd.DataFrame(failed, columns=FAILURE_COLUMNS)


def audit_documents(build_db: Build, raw_db: Path, document_ids: list[str]) -> BatchAudit:
    """Every rule's comparisons for one batch of documents (all of a document's tables at once), read
    from the build database; only those that differ are kept for Great Expectations."""
    with BuildDatabase(build_db, raw_db, read_only=True) as build:
        build.register("audit_batch", pd.DataFrame({"document_id": document_ids}, dtype=object))

        def rows(relation: str) -> pd.DataFrame:
            columns = ", ".join(AUDITED_AMOUNT_COLUMNS) if relation == AUDITED_RELATIONS[0] else "*"
            return build.df(
                f"select {columns} from {relation} where document_id in (select document_id from audit_batch) "
                f"order by {READING_ORDER[relation]}")

        frames = [rows(relation) for relation in AUDITED_RELATIONS]
        tables = rows("staging.stg_raw__report_tables")[["document_id", "table_code", "first_line", "last_line"]]
        documents = rows("staging.stg_raw__documents")[["document_id", "report_kind", "file_name"]]
        issues = rows("staging.stg_raw__parse_issues")
    for file_name in documents["file_name"]:
        raise_if_injected("audit.raise", file_name)
    comparisons = pd.concat([document_comparisons(*frames), completeness_comparisons(tables, documents)],
                            ignore_index=True)
    counts = comparisons.groupby("document_id").size()
    n_checks = pd.DataFrame({"document_id": document_ids})
    n_checks["n_checks"] = n_checks["document_id"].map(counts).fillna(0).astype(int)
    differs = (comparisons["actual"].astype(float) - comparisons["expected"].astype(float)).round(6) != 0
    problems = reader_problems(issues, frames[0], tables, frames[3])
    return BatchAudit(candidates=comparisons[differs].reset_index(drop=True), n_checks=n_checks,
                      unreadable=unreadable_rows(issues, problems[problems["table_level"].astype(bool)]),
                      problems=problems, failed=pd.DataFrame(columns=FAILURE_COLUMNS))


def document_comparisons(amounts: pd.DataFrame, claims: pd.DataFrame, nodes: pd.DataFrame,
                         score_tables: pd.DataFrame, figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every rule's comparisons for the documents in these frames (the shapes of int_amounts_classified,
    stg_raw__narrative_claims, int_performance_indicators_scored, stg_raw__performance_tables and
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
    """first_seen_at of each finding, kept across refreshes in the raw database (``last_seen_at``: when a
    finding was last found by an audit of its document)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    # each id once: a repeated id must reach dbt's key test (which names its document), not stop the audit
    seen = pd.DataFrame({"finding_id": list(dict.fromkeys(finding_ids))}, dtype=object)  # noqa: F841 (duckdb)
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


# What the unwaived error findings of ``{findings}`` hold back, one row per table (line_no null) or, for a row
# the reader could not read in a table not otherwise held, per row (its line); with the rules, the number of
# findings, and ``origin`` source when any of them is the document's own arithmetic, else reader. A finding
# whose scope is the whole document (an audit that could not run) holds back every table of the document
# (``{report_tables}``, ``{performance_tables}``: the raw layer's, keyed by content_hash).
QUARANTINE_SCOPE = """
with blocking as (
    select document_id, table_code, line_no, rule_id, origin, coalesce(scope, 'table') as scope
    from {findings}
    where severity = 'error' and not waived
),

document_wide as (
    select * from blocking where scope = 'document'
),

document_tables as (
    select content_hash as document_id, table_code from {report_tables}
    where content_hash in (select document_id from document_wide)
    union
    select content_hash as document_id, table_code from {performance_tables}
    where content_hash in (select document_id from document_wide)
),

held as (
    select document_id, table_code, line_no, rule_id, origin, scope
    from blocking
    where scope <> 'document' and table_code is not null
    union all
    select document_wide.document_id, document_tables.table_code, document_wide.line_no, document_wide.rule_id,
           document_wide.origin, 'table' as scope
    from document_wide
    inner join document_tables on document_wide.document_id = document_tables.document_id
),

whole as (
    select distinct document_id, table_code from held where scope = 'table'
),

placed as (
    select held.document_id, held.table_code, held.rule_id, held.origin,
           case when whole.document_id is null and held.scope = 'row' then held.line_no end as line_no
    from held
    left join whole on held.document_id = whole.document_id and held.table_code = whole.table_code
)

select
    document_id::varchar as document_id,
    table_code::varchar as table_code,
    line_no::integer as line_no,
    string_agg(distinct rule_id, ',' order by rule_id)::varchar as rule_ids,
    count(*)::integer as n_findings,
    (case when bool_or(origin = 'source') then 'source' else 'reader' end)::varchar as origin
from placed
group by document_id, table_code, line_no
order by document_id, table_code, line_no nulls last
"""


def _write_audit(build: BuildDatabase, waivers: list[Waiver]) -> None:
    """``audit.dq_finding`` (the whole ledger, waived, with where each finding is) and
    ``audit.quarantined_scope``, computed in the build database: no finding passes through pandas (the
    ledger at 100,000 reports holds ~1.3 M findings)."""
    if waivers:
        build.register("audit_waivers", waivers_frame(waivers))
        reason = WAIVER_REASON.format(waivers="audit_waivers")
    else:
        reason = "null"
    try:
        build.replace_table("audit.dq_finding", f"""
            select {", ".join(f"findings.{name}" for name in LEDGER_NAMES.split(", ")[:-1])},
                   documents.file_name::varchar as file_name, documents.unit_name::varchar as unit_name,
                   documents.fiscal_year::integer as fiscal_year,
                   findings.reason is not null as waived, findings.reason::varchar as waiver_reason,
                   findings.first_seen_at
            from (select f.*, {reason} as reason from audit.finding_ledger as f) as findings
            left join staging.stg_raw__documents as documents on findings.document_id = documents.document_id
            order by findings.document_id, findings.finding_id
        """)
    finally:
        if waivers:
            build.unregister("audit_waivers")
    build.replace_table("audit.quarantined_scope", QUARANTINE_SCOPE.format(
        findings="audit.dq_finding", report_tables="raw.report_tables", performance_tables="raw.performance_tables"))


def _summary(build: BuildDatabase, **counts: int) -> IntegrityOutcome:
    by_severity = dict(build.rows("select severity, count(*) from audit.dq_finding group by severity"))
    return IntegrityOutcome(
        n_checks=checks_made(build),
        n_findings=int(sum(by_severity.values())),
        by_severity={severity: int(n) for severity, n in by_severity.items()},
        n_waived=int(build.rows("select count(*) from audit.dq_finding where waived")[0][0]),
        quarantined_tables=[tuple(row) for row in build.rows(
            "select document_id, table_code from audit.quarantined_scope where line_no is null "
            "order by document_id, table_code")],
        **counts,
    )
