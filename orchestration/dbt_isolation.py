"""dbt tests that fail on some documents' rows hold back those documents, not the refresh.

Keys are checked per document at parse time (ingest/document_keys.py); dbt's tests stay as guards. When a
``dbt build`` fails, every failed test is traced to the documents whose rows fail it:

* a test whose failing rows carry ``document_id`` (e.g. ``unique_per_document``): those documents;
* ``unique`` / ``not_null`` / ``accepted_values`` / ``relationships`` on a model with a ``document_id``
  column: the documents of the model's rows that break it.

If every failure is traced, those documents are held (``raw_layer.hold_documents``: quarantined with the
test's name, example rows and what was expected, until the parser, models or tests change) and the build
runs again (tests skipped below a failing one may then show more documents, so this repeats a few times);
if some failure (a model error, a test on a relation without documents, a test that errors) cannot be
traced to documents, the run fails as before: that is a pipeline problem, not a document's.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from expectations.audit_ledger import DBT_BUILD_INPUTS, files_fingerprint
from expectations.build_database import BuildDatabase
from ingest import raw_layer
from ingest.postgres import sync_raw
from orchestration.warehouse import WarehousePaths

# what a hold was decided under: the parser version, the models and seeds, and the tests (yml)
HOLD_INPUTS = (*DBT_BUILD_INPUTS, "dbt_project/models/**/*.yml", "dbt_project/macros/*.sql", "dbt_project/tests/*.sql")
EXAMPLES = 3  # rows named in a hold's reason
HOLD_ROUNDS = 3  # builds after which a failure still traced to documents fails the run


def hold_fingerprint() -> str:
    return files_fingerprint(HOLD_INPUTS)


@dataclass(frozen=True)
class FailedTest:
    name: str
    kind: str | None  # unique | not_null | accepted_values | relationships | unique_per_document | …
    relation: str | None  # "schema"."table" of the model tested
    column: str | None
    kwargs: dict
    compiled_sql: str | None
    related: str | None  # relationships: "schema"."table" of the referenced model


class UntracedFailure(RuntimeError):
    """A dbt failure that no document's rows explain: the refresh fails."""


def build_isolated(dbt, context, args: list[str], paths: WarehousePaths, retry_args: list[str] | None = None,
                   after_hold: Callable[[], None] | None = None, log=None) -> Iterator:
    """Run ``dbt <args>``; while it fails only on documents' rows, hold those documents, call ``after_hold``
    and run ``dbt <retry_args>`` (default: args) again — at most HOLD_ROUNDS times, since tests skipped
    below a failing one can only show their failures in the next run. Yields the Dagster events of the
    run that counts (a failed run's events are not reported: its assets are built again)."""
    attempt = dbt_call(dbt, args, context, paths)
    one_thread = False
    for _ in range(HOLD_ROUNDS):
        events = list(attempt.stream())
        if attempt.is_successful():
            yield from events
            return
        try:
            results = attempt.get_artifact("run_results.json")
            failed = [r for r in results["results"] if r["status"] in ("fail", "error", "runtime error")]
            if not one_thread and any(out_of_memory(r) for r in failed):
                # two nodes at once each holding part of DuckDB's memory limit (FISCAL_DBT_MEMORY): both may
                # fit one at a time. Seen at 100,000 reports when every incremental model was rebuilt in full.
                one_thread = True
                if log:
                    log.warning("DuckDB ran out of its memory limit (FISCAL_DBT_MEMORY) with two nodes building at "
                                f"once ({', '.join(r['unique_id'] for r in failed if out_of_memory(r))}): "
                                "built again one node at a time")
                args, retry_args = [*args, "--threads", "1"], [*(retry_args or args), "--threads", "1"]
                attempt = dbt_call(dbt, args, context, paths)
                continue
            reasons = trace_failures(failed, attempt.manifest, paths)
        except (UntracedFailure, FileNotFoundError) as exc:  # no run_results: dbt failed before running nodes
            if log:
                log.error(f"dbt failed and the failure is not one document's: {exc}")
            raise attempt.get_error() from exc
        raw_layer_hold(paths, reasons)
        for reason in reasons.values():
            if log:
                log.warning(f"document held back: {reason}")
        if after_hold:
            after_hold()
        attempt = dbt_call(dbt, retry_args or args, context, paths)
    events = list(attempt.stream())
    if not attempt.is_successful():
        raise attempt.get_error()
    yield from events


def dbt_call(dbt, args: list[str], context, paths: WarehousePaths):
    """``dbt.cli(args)`` in a new target folder seeded with this home's last partial parse.

    dagster-dbt runs every call in a new target folder, so dbt parsed the whole project again on each call
    (~3 s of each of the refresh's two calls). The partial parse dbt writes is kept per home and target and
    handed to the next call; a home without one gets the project's (written with its manifest: in this
    process dbt compares profiles without the homes' folders, ``dbt_in_process``). dbt itself parses in full
    when the project or anything else in the profile changed."""
    kept = paths.home / f"dbt_partial_parse.{dbt.target or 'default'}.msgpack"
    target_path = Path("target") / f"{context.op_def.name}-{uuid.uuid4().hex[:12]}"
    folder = Path(dbt.project_dir) / target_path
    # a new home starts from the partial parse written with the project's manifest (dbt_in_process)
    seed = kept if kept.exists() else Path(dbt.project_dir) / "target" / (dbt.target or "default") / PARTIAL_PARSE
    if seed.exists():
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy2(seed, folder / PARTIAL_PARSE)
    invocation = dbt.cli(args, context=context, raise_on_error=False, target_path=target_path)
    return _KeepsPartialParse(invocation, folder / PARTIAL_PARSE, kept)


PARTIAL_PARSE = "partial_parse.msgpack"


class _KeepsPartialParse:
    """A dbt invocation that, once its events are read, keeps the partial parse it wrote for the home."""

    def __init__(self, invocation, written: Path, kept: Path):
        self._invocation, self._written, self._kept = invocation, written, kept

    def stream(self) -> Iterator:
        yield from self._invocation.stream()
        if self._written.exists():
            staging = self._kept.with_name(f".{self._kept.name}.{os.getpid()}")
            shutil.copy2(self._written, staging)
            os.replace(staging, self._kept)

    def __getattr__(self, name):
        return getattr(self._invocation, name)


def raw_layer_hold(paths: WarehousePaths, reasons: dict[str, str]) -> None:
    with raw_layer.connect(str(paths.raw_db)) as con:
        raw_layer.hold_documents(con, reasons, hold_fingerprint())
    if paths.server:  # the server's raw layer follows raw.duckdb
        sync_raw(str(paths.raw_db), paths.server)


def out_of_memory(result: dict) -> bool:
    """A node that failed because DuckDB could not stay within its memory limit."""
    return result["status"] != "fail" and "Out of Memory Error" in (result.get("message") or "")


def trace_failures(results: list[dict], manifest: dict, paths: WarehousePaths) -> dict[str, str]:
    """document_id -> why it is held, for every failed node of a run; UntracedFailure if any is not
    explained by documents' rows."""
    if not results:
        raise UntracedFailure("dbt failed without a failed node (see the log)")
    tests = []
    # in node order, not in the order dbt's threads finished them: a document's reason names its failed tests
    # the same way every run
    for result in sorted(results, key=lambda r: r["unique_id"]):
        node = manifest["nodes"].get(result["unique_id"], {})
        if node.get("resource_type") != "test" or result["status"] != "fail":
            raise UntracedFailure(f"{result['unique_id']} {result['status']}: {result.get('message')}")
        tests.append(failed_test(node, manifest, result.get("compiled_code")))
    with BuildDatabase(paths.build, paths.raw_db, read_only=True) as build:
        examples: dict[str, list[str]] = {}
        for test in tests:
            found = failing_documents(build, test)
            if not found:
                raise UntracedFailure(f"{test.name}: its failing rows name no document")
            for document_id, (n_rows, where) in found.items():
                examples.setdefault(document_id, []).append(
                    f"dbt test {test.name} failed on {n_rows} of its rows ({where}); expected {expectation(test)}")
        names = dict(build.rows(
            "select content_hash, file_name from raw.documents where content_hash in "
            f"({', '.join('?' * len(examples))})", list(examples)))
    return {document_id: f"{names.get(document_id, document_id)}: " + "; ".join(found)
            + " — held back until the parser, models or tests change"
            for document_id, found in examples.items()}


def failed_test(node: dict, manifest: dict, compiled_sql: str | None) -> FailedTest:
    metadata = node.get("test_metadata") or {}
    attached = manifest["nodes"].get(node.get("attached_node") or "", {})
    kwargs = metadata.get("kwargs") or {}
    related = None
    if metadata.get("name") == "relationships":
        others = [manifest["nodes"][n] for n in node["depends_on"]["nodes"]
                  if n != node.get("attached_node") and n in manifest["nodes"]]
        related = _relation(others[0]) if others else None
    return FailedTest(name=node["name"], kind=metadata.get("name"), relation=_relation(attached) if attached else None,
                      column=node.get("column_name") or kwargs.get("column_name"), kwargs=kwargs,
                      compiled_sql=compiled_sql, related=related)


def _relation(node: dict) -> str:
    return f'"{node["schema"]}"."{node.get("alias") or node["name"]}"'


def failing_documents(build: BuildDatabase, test: FailedTest) -> dict[str, tuple[int, str]]:
    """document_id -> (failing rows, where some of them are) for one failed test; empty if untraceable."""
    rows_sql = _failing_rows_sql(build, test)
    if rows_sql is None:
        return {}
    frame = build.df(f"select * from ({rows_sql}) as failing where document_id is not null")
    order = [c for c in ("table_code", "source_table", "line_no", "source_line") if c in frame.columns]
    frame = frame.sort_values(order, kind="stable") if order else frame
    found = {}
    for document_id, rows in frame.groupby("document_id", sort=True):
        n_rows = int(rows["n_records"].sum()) if "n_records" in rows else len(rows)  # grouped failing rows
        found[document_id] = (n_rows, ", ".join(_where(row) for row in rows.head(EXAMPLES).to_dict("records")))
    return found


def _failing_rows_sql(build: BuildDatabase, test: FailedTest) -> str | None:
    if test.compiled_sql and "document_id" in build.columns(f"select * from ({test.compiled_sql}) as failing limit 0"):
        return test.compiled_sql
    if test.relation is None or test.column is None or "document_id" not in build.columns(
            f"select * from {test.relation} limit 0"):
        return None
    column, relation = test.column, test.relation
    if test.kind == "unique":
        return (f"select * from {relation} where {column} in "
                f"(select {column} from {relation} where {column} is not null group by 1 having count(*) > 1)")
    if test.kind == "not_null":
        return f"select * from {relation} where {column} is null"
    if test.kind == "accepted_values":
        values = ", ".join(_literal(v) for v in test.kwargs.get("values", []))
        return f"select * from {relation} where {column} is not null and {column}::varchar not in ({values})"
    if test.kind == "relationships" and test.related:
        field = test.kwargs.get("field")
        return (f"select * from {relation} where {column} is not null and {column} not in "
                f"(select {field} from {test.related} where {field} is not null)")
    return None


def _literal(value) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _where(row: dict) -> str:
    """Where a failing row is, from the provenance columns the tested model has."""
    def first(*names):
        return next((row[n] for n in names if row.get(n) is not None), None)
    parts = [str(v) for v in (first("table_code", "source_table"),) if v]
    line = first("line_no", "source_line")
    page = first("page_no", "source_page")
    if line is not None:
        parts.append(f"line {int(line)}")
    if page is not None:
        parts.append(f"p. {int(page)}")
    return " ".join(parts) or "row"


def expectation(test: FailedTest) -> str:
    if test.kind == "unique":
        return f"{test.column} unique"
    if test.kind == "not_null":
        return f"{test.column} never null"
    if test.kind == "accepted_values":
        return f"{test.column} one of {json.dumps(test.kwargs.get('values', []), ensure_ascii=False)}"
    if test.kind == "relationships":
        return f"every {test.column} in {test.related}.{test.kwargs.get('field')}"
    if test.kind == "unique_per_document":
        return f"one row per ({', '.join(test.kwargs.get('columns', []))}) in each document"
    return f"no rows failing {test.kind or test.name}"
