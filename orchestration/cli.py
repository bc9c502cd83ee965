"""`fiscal`: run the nightly refresh, query the published marts, see what happened, roll back."""

from __future__ import annotations

import csv
import json
import logging
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import duckdb
import psycopg
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from ingest.names import printable
from orchestration.home_lock import HomeBusy, home_lock
from orchestration.listing import SHOWN, shown
from orchestration.warehouse import WarehousePaths, resolve_home, resolve_inbox

if TYPE_CHECKING:
    from expectations.build_database import BuildDatabase
    from orchestration.runner import RefreshResult

app = typer.Typer(help="Chinese public-finance disclosures warehouse (部门预算/决算, 绩效).", no_args_is_help=True)
# Wide output when piped (rich would wrap at 80 columns), the terminal width otherwise.
console = Console(file=sys.__stdout__, width=None if sys.__stdout__.isatty() else 200)

HomeOption = Annotated[Path | None, typer.Option("--home", envvar="FISCAL_HOME",
                                                 help="Warehouse home (default ./warehouse).")]
TRY_QUERY = ("select unit_name, fiscal_year, phase_name, income_total_wan, expenditure_total_wan, "
             "three_public_final_wan from mart_unit_year_overview order by unit_name, fiscal_year, phase_code")
STEP_LABELS = {
    "raw__document_files": "keep inbox files by content hash",
    "raw_layer": "parse new reports into the raw layer",
    "dbt_staging_intermediate": "dbt: staging and intermediate models",
    "integrity_findings": "integrity suites (Great Expectations)",
    "dbt_marts": "dbt: marts",
    "marts__fct_fiscal_amount_every_amount_accounted_for": "check: each amount published, held or superseded",
    "integrity_rules": "checks: every integrity rule on the asset it guards",
    "published_marts": "publish marts atomically",
    "maintainer_alerts": "alert maintainers of new or resolved problems",
}


@app.command()
def refresh(
    inbox: Annotated[Path | None, typer.Option("--inbox", envvar="FISCAL_INBOX",
                                               help="Folder of reports to ingest (default samples/inbox).")] = None,
    home: HomeOption = None,
    waivers: Annotated[Path | None, typer.Option("--waivers", help="Waivers file (default expectations/waivers.yml).")]
    = None,
    force: Annotated[bool, typer.Option("--force", help="Run the job even if no input changed since the last "
                                                        "successful refresh.")] = False,
) -> None:
    """Run the nightly refresh job: ingest, build, audit, publish (one at a time per home). When nothing it
    reads changed since the last successful refresh (inbox, waivers, code, settings), says so and stops."""
    from orchestration.refresh_inputs import inputs_fingerprint, remember_inputs, unchanged_since_last_refresh

    paths = WarehousePaths(resolve_home(home)).ensure()
    inbox_dir = resolve_inbox(inbox)
    if not inbox_dir.exists():
        console.print(f"[red]inbox {escape(_path(inbox_dir))} does not exist[/red]")
        raise typer.Exit(2)
    try:
        with home_lock(paths.home, "a refresh"):
            started = datetime.now(UTC)
            fingerprint = inputs_fingerprint(paths, inbox_dir, waivers)
            last = unchanged_since_last_refresh(paths, fingerprint)
            if last is not None and not force:
                _report_unchanged_inputs(paths, home, inbox_dir, started, last)
                return
            # forced over unchanged inputs, the audit has nothing new to hand Great Expectations
            _refresh(paths, home, inbox_dir, waivers, prepare_gx=last is None)  # exits non-zero when it failed
            remember_inputs(paths, fingerprint, _load_summary(paths).get("finished_at") or started.isoformat())
    except HomeBusy as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(3) from exc


def _refresh(paths: WarehousePaths, home: Path | None, inbox_dir: Path, waivers: Path | None,
             prepare_gx: bool = True) -> None:
    from orchestration.runner import run_refresh

    started = datetime.now(UTC)
    log_path = paths.home / "logs" / f"refresh-{started:%Y%m%dT%H%M%S}.log"
    console.print(f"Refreshing [bold]{escape(_path(paths.home))}[/bold] "
                  f"from inbox [bold]{escape(_path(inbox_dir))}[/bold]")
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        overall = progress.add_task("nightly_refresh", total=None)
        tasks: dict[str, int] = {}

        def on_step(step: str, kind: str) -> None:
            label = STEP_LABELS.get(step, step)
            if kind == "STEP_START":
                tasks[step] = progress.add_task(f"  {label}", total=1)
            elif step in tasks:
                mark = {"STEP_SUCCESS": "[green]✓[/green]", "STEP_FAILURE": "[red]✗[/red]",
                        "STEP_SKIPPED": "[yellow]skipped[/yellow]"}.get(kind, kind)
                progress.update(tasks[step], completed=1, description=f"  {label} {mark}")

        result = run_refresh(paths.home, inbox_dir, waivers, log_path, on_step, prepare_gx=prepare_gx)
        progress.update(overall, total=1, completed=1)
    _report_refresh(paths, home, inbox_dir, started, log_path, result)


def _report_unchanged_inputs(paths: WarehousePaths, home: Path | None, inbox_dir: Path, started: datetime,
                             last: dict) -> None:
    """Nothing a refresh reads changed: the current release is confirmed (for the freshness alert) and shown."""
    summary = _load_summary(paths)
    summary.update(started_at=started.isoformat(), finished_at=datetime.now(UTC).isoformat(), inbox=_path(inbox_dir),
                   success=True, nothing_new=True, run_id=None, failures=[], warnings=[],
                   inputs_unchanged_since=last.get("finished_at"), release_id=last.get("release_id"))
    paths.last_refresh.write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    console.print(f"Nothing new: the inbox, waivers, code and settings are as at the refresh of "
                  f"{escape(str(last.get('finished_at')))}; the marts equal release {last.get('release_id')}, which "
                  "stays published (no new release; --force runs the job anyway).")
    _print_status(paths)
    console.print(f"\nPublished marts: [bold]{escape(_published_name(paths))}[/bold]")


def _report_refresh(paths: WarehousePaths, home: Path | None, inbox_dir: Path, started: datetime, log_path: Path,
                    result: RefreshResult) -> None:
    if not result.success:  # the alert first: nothing printed or written below may keep it from being sent
        from orchestration.alerts import announce_failure

        announce_failure(paths, result.run_id, result.failures or [("job", "run failed")])
    summary = _load_summary(paths)
    summary.update(run_id=result.run_id, started_at=started.isoformat(), inbox=_path(inbox_dir),
                   success=result.success, log=str(log_path), failures=result.failures, warnings=result.warnings)
    paths.last_refresh.write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    for message in result.warnings:
        console.print(f"[yellow]![/yellow] {escape(message)}")
    if not result.success:
        for step, message in result.failures:
            console.print(f"[red]refresh failed in {escape(step)}:[/red] {escape(message)}")
        console.print(f"Full log: {escape(_path(log_path))}. The previously published marts are unchanged.")
        raise typer.Exit(1)
    for check in result.failed_checks:
        color = "red" if check.severity.value == "ERROR" else "yellow"
        failing = check.metadata.get("failing")
        console.print(f"[{color}]✗ check {check.check_name}[/] on {check.asset_key.to_user_string()}: "
                      f"{failing.value if failing else '?'} failing ({check.severity.value})")
    if summary.get("nothing_new"):
        console.print(f"Nothing new: the marts equal release {summary.get('release_id')}, which stays published "
                      "(no new release).")
    console.print(f"Dagster runs of this home: DAGSTER_HOME={result.dagster_home} dagster dev")
    _print_status(paths)
    console.print(f"\nPublished marts: [bold]{escape(_published_name(paths))}[/bold]")
    console.print(escape(f'Try: {_fiscal_command()} query "{TRY_QUERY}"'
                         + ("" if home is None else f" --home {_path(paths.home)}")))


class QueryFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class ExportFormat(StrEnum):
    parquet = "parquet"
    csv = "csv"
    xlsx = "xlsx"


@contextmanager
def published_marts(paths: WarehousePaths) -> Iterator[BuildDatabase]:
    """The published marts, read-only, on either target; for the DuckDB file a clear message (exit 1) when
    another program holds it locked (a DuckDB client that opened it read-write: the CLI's and DBeaver's default)."""
    from expectations.build_database import BuildDatabase

    if not paths.has_published():
        console.print(f"[red]no published marts at {escape(_published_name(paths))}; run `fiscal refresh` first[/red]")
        raise typer.Exit(2)
    try:
        con = BuildDatabase(paths.published, read_only=True)
    except duckdb.IOException as exc:
        holder = str(exc).split("Conflicting lock is held in", 1)
        who = holder[1].split(". See also")[0].strip() if len(holder) > 1 else "another program"
        console.print(f"[red]{escape(_path(paths.marts_db))} is locked by {escape(who)}[/red], which opened it "
                      "read-write. Open the "
                      "marts read-only in other clients (duckdb -readonly FILE, or read_only=True); the next "
                      "refresh publishes a new file that this lock does not hold.")
        raise typer.Exit(1) from exc
    with con:
        yield con


def _columns_and_rows(con: BuildDatabase, sql: str) -> tuple[list[str], list[tuple]]:
    """A query's column names and rows as Python values (NULL as None), on either target."""
    if con.server:
        with con.pg.cursor() as cur:
            cur.execute(sql)
            if cur.description is None:
                return [], []
            return [c.name for c in cur.description], cur.fetchall()
    relation = con.duck.sql(sql)
    return ([], []) if relation is None else (list(relation.columns), relation.fetchall())


def _text(value) -> str:
    return "" if value is None else str(value)


def _json_value(value):
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="SQL to run read-only on the published marts.")],
    home: HomeOption = None,
    output: Annotated[QueryFormat, typer.Option("--format", help="table | csv | json")] = QueryFormat.table,
) -> None:
    """Run read-only SQL on the published marts (NULL prints as an empty field, null in JSON)."""
    paths = WarehousePaths(resolve_home(home))
    with published_marts(paths) as con:
        try:
            columns, rows = _columns_and_rows(con, sql)
        except (duckdb.Error, psycopg.Error) as exc:
            console.print(f"[red]{escape(str(exc))}[/red]")
            raise typer.Exit(1) from exc
    if output is QueryFormat.csv:
        writer = csv.writer(sys.__stdout__, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_text(value) for value in row] for row in rows])
    elif output is QueryFormat.json:
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        sys.__stdout__.write(json.dumps(records, ensure_ascii=False, default=_json_value) + "\n")
    else:
        table = Table(show_lines=False)
        for column in columns:
            table.add_column(escape(str(column)))
        for row in rows:
            table.add_row(*[_cell(value) for value in row])
        console.print(table)
        console.print(f"{len(rows)} rows")
    sys.__stdout__.flush()


@app.command()
def export(
    to: Annotated[Path, typer.Option("--to", help="Folder to write into (created if missing).")],
    output: Annotated[ExportFormat, typer.Option("--format", help="parquet | csv | xlsx")] = ExportFormat.parquet,
    tables: Annotated[list[str] | None, typer.Option(
        "--tables", help="Tables to export (repeat the option, or separate by commas); default every table.")] = None,
    home: HomeOption = None,
) -> None:
    """Export the published marts: typed Parquet, CSV (UTF-8 with BOM, for Excel), or one XLSX workbook with a
    sheet per table and Chinese headers."""
    from orchestration.export import export as write_export
    from orchestration.export import published_tables

    paths = WarehousePaths(resolve_home(home))
    if paths.server:
        console.print("[red]fiscal export reads the DuckDB marts file[/red]; on the PostgreSQL target export with "
                      "the server's own tools (e.g. psql \\copy (select * from marts.T) to 'T.csv' csv header)")
        raise typer.Exit(2)
    with published_marts(paths) as marts:
        con = marts.duck
        available = published_tables(con)
        wanted = [t.strip() for item in (tables or []) for t in item.split(",") if t.strip()] or available
        unknown = sorted(set(wanted) - set(available))
        if unknown:
            console.print(f"[red]no published table {', '.join(unknown)}[/red]; tables: {', '.join(available)}")
            raise typer.Exit(2)
        written = write_export(con, to, output.value, wanted)
    for path in written:
        console.print(f"wrote {path}")


@app.command()
def samples(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the generated reports into.")],
    count: Annotated[int, typer.Option("--count", min=1, help="How many reports.")] = 100,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same reports).")] = 0,
    faults: Annotated[float, typer.Option(
        "--faults", min=0.0, max=1.0,
        help="Share of reports with one injected fault (wrong total, rounding-only difference, garbled cell, "
             "empty file, truncated file, in turn); listed in faults.csv.")] = 0.0,
) -> None:
    """Generate synthetic reports (决算, 预算 and 绩效自评 of each unit in turn) for demos, tests and benchmarks;
    consistent unless --faults."""
    import csv

    from ingest.sample_reports import generate_with_faults

    out.mkdir(parents=True, exist_ok=True)
    written, manifest = 0, []
    for name, text, kind, detail in generate_with_faults(count, seed, faults):
        (out / name).write_text(text, encoding="utf-8")
        written += 1
        if kind:
            manifest.append({"file_name": name, "fault": kind, "detail": detail})
    listed = out.parent / f"{out.name}.faults.csv"
    if manifest:
        with open(listed, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=["file_name", "fault", "detail"])
            writer.writeheader()
            writer.writerows(manifest)
    console.print(f"wrote {written} reports to {out}" + (
        f" ({len(manifest)} with an injected fault, listed in {listed})" if manifest else ""))


@app.command()
def status(home: HomeOption = None,
           all_lines: Annotated[bool, typer.Option("--all", help=f"List every held-back document, table and "
                                                   f"skipped entry, not the first {SHOWN} of each.")] = False
           ) -> None:
    """What the last refresh did: documents published and quarantined, tables held back, findings."""
    paths = WarehousePaths(resolve_home(home))
    summary = _load_summary(paths)
    if not summary and not paths.has_published():
        console.print(f"no refresh has run for {paths.home}")
        raise typer.Exit(1)
    if summary:
        state = "[green]succeeded[/green]" if summary.get("success", True) else "[red]failed[/red]"
        console.print(f"Last refresh {state} at {summary.get('finished_at') or summary.get('started_at')} "
                      f"(inbox {summary.get('inbox', '?')}); log {summary.get('log', '-')}")
        for step, message in summary.get("failures") or []:
            console.print(f"  [red]{escape(str(step))}[/red]: {escape(str(message))}")
    _print_status(paths, None if all_lines else SHOWN)


@app.command()
def rollback(home: HomeOption = None) -> None:
    """Publish the previous release of the marts again."""
    from orchestration.postgres_publish import rollback_on_server
    from orchestration.publish import rollback as do_rollback

    paths = WarehousePaths(resolve_home(home))
    try:
        with home_lock(paths.home, "a rollback"):
            release = rollback_on_server(paths.server) if paths.server else do_rollback(paths)
    except RuntimeError as exc:  # HomeBusy too
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"Marts rolled back to release {release}: {_published_name(paths)}")


def _published_name(paths: WarehousePaths) -> str:
    return f"schema marts of PostgreSQL database {paths.server.dbname}" if paths.server else str(paths.marts_db)


@app.command()
def withdraw(
    document: Annotated[str, typer.Argument(help="The document: its file, file name or sha256 (8+ hex digits).")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is withdrawn (kept in the log).")],
    home: HomeOption = None,
) -> None:
    """Take a document out of the published facts at the next refresh; its stored copy and history stay."""
    _withdrawal(document, "withdraw", reason, home)


@app.command()
def restore(
    document: Annotated[str, typer.Argument(help="The withdrawn document: its file, file name or sha256.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it comes back (kept in the log).")] = "restored",
    home: HomeOption = None,
) -> None:
    """Bring a withdrawn document back: it is parsed again at the next refresh."""
    _withdrawal(document, "restore", reason, home)


def _withdrawal(target: str, action: str, reason: str, home: Path | None) -> None:
    import getpass

    from ingest import raw_layer
    from ingest.store import RawFileStore
    from ingest.withdrawals import UnknownDocument, apply_withdrawals, current, find_document, record
    from orchestration.refresh_inputs import forget_inputs

    paths = WarehousePaths(resolve_home(home)).ensure()
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    try:
        with home_lock(paths.home, f"fiscal {action}"), raw_layer.connect(str(paths.raw_db)) as con:
            content_hash, file_name = find_document(con, target)
            standing = current(con).get(content_hash, ("restore", None))[0]
            if standing == action:
                console.print(f"{escape(file_name)} ({content_hash[:16]}) is already "
                              f"{'withdrawn' if action == 'withdraw' else 'not withdrawn'}; nothing done")
                return
            forget_inputs(paths)  # first: the next refresh runs, whatever happens to this process after
            record(con, content_hash, file_name, action, reason, user)
            apply_withdrawals(con, RawFileStore(paths.store))
    except (HomeBusy, UnknownDocument) as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(3 if isinstance(exc, HomeBusy) else 1) from exc
    if action == "withdraw":
        console.print(f"Withdrawn {escape(file_name)} ({content_hash[:16]}): its facts leave the published marts at "
                      "the next refresh; its stored copy and history are kept (`fiscal restore` brings it back).")
    else:
        console.print(f"Restored {escape(file_name)} ({content_hash[:16]}): it is parsed again and published at the "
                      "next refresh.")


def _cell(value: object) -> str:
    """A query result cell as console text: NULL (None, NaN, NaT) empty, markup-like text as printed."""
    import pandas as pd

    missing = value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))
    return "" if missing else escape(str(value))


def _path(path: Path) -> str:
    return printable(str(path))


def _withdrawn(paths: WarehousePaths, marts: BuildDatabase) -> dict[str, tuple]:
    """Documents standing withdrawn: document id -> (file name, reason, who, when). From the raw layer's
    log (a withdrawal counts at once), or the published log while a refresh holds the raw layer."""
    query = ("select document_id, file_name, reason, acted_by, acted_at from ({}) where is_withdrawn "
             "order by file_name")
    log = ("select content_hash as document_id, file_name, reason, acted_by, acted_at, "
           "row_number() over (partition by content_hash order by acted_at desc) = 1 and action = 'withdraw' "
           "as is_withdrawn from document_withdrawals")
    try:
        with duckdb.connect(str(paths.raw_db), read_only=True) as raw:
            if _has_table(raw, "document_withdrawals"):
                return {row[0]: row[1:] for row in raw.execute(query.format(log)).fetchall()}
    except duckdb.Error:  # a refresh is writing it: what was published
        pass
    if _has_table(marts, "document_withdrawal"):
        return {row[0]: row[1:] for row in _rows(marts, query.format("select * from document_withdrawal"))}
    return {}


def _print_skipped_entries(con: BuildDatabase, limit: int | None = SHOWN) -> None:
    if not _has_table(con, "inbox_entry"):
        return
    rows = _rows(con, "select entry_path, reason from inbox_entry where action = 'skipped' and is_in_last_scan "
                      "order by inbox_root, entry_path")
    _print_some([f"[cyan]inbox entry skipped[/cyan] {escape(f'{entry_path}: {reason}')}"
                 for entry_path, reason in rows], "skipped inbox entries (mart inbox_entry)", limit)


def _rows(con: BuildDatabase | duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of a query on the published marts (either target) or on a local DuckDB file."""
    if isinstance(con, duckdb.DuckDBPyConnection):
        return con.execute(sql, params or []).fetchall()
    return con.rows(sql, params)


def _has_table(con: BuildDatabase | duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(_rows(con, "select count(*) from information_schema.tables where table_name = ?", [name])[0][0])


def _fiscal_command() -> str:
    """How the user can call this command again: `fiscal` when it is on PATH, else its path."""
    invoked = Path(sys.argv[0])
    on_path = shutil.which("fiscal")
    if invoked.name != "fiscal" or (on_path and Path(on_path).resolve() == invoked.resolve()):
        return "fiscal"
    try:
        return str(invoked.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(invoked.resolve())


def _load_summary(paths: WarehousePaths) -> dict:
    if paths.last_refresh.exists():
        return json.loads(paths.last_refresh.read_text(encoding="utf-8"))
    return {}


def _print_some(lines: list[str], what: str, limit: int | None) -> None:
    """The first ``limit`` lines, indented, then how many more there are (orchestration/listing.py)."""
    for line in shown(lines, what, limit):
        console.print(f"  {line}")


def _print_status(paths: WarehousePaths, limit: int | None = SHOWN) -> None:
    """What is published and what is held back; each list cut at ``limit`` lines (None: all of them), since
    a refresh of 10,000 reports printing thousands of held-back tables hides the rest of its report."""
    from orchestration.alerts import current_problems, described
    from orchestration.publish import current_release

    if not paths.has_published():
        console.print("no published marts yet")
        return
    with published_marts(paths) as con:
        release = con.df("select * from publish_history order by published_at desc limit 1").iloc[0]
        reader = release.get("n_findings_reader")
        console.print(
            f"Published release {(not paths.server and current_release(paths)) or release['release_id']}: "
            f"{release['n_documents'] - release['n_documents_quarantined']} documents published, "
            f"{release['n_documents_quarantined']} quarantined; {release['n_facts']} facts published, "
            f"{release['n_facts_quarantined']} held back in {release['n_tables_quarantined']} tables; findings of the "
            f"documents' own arithmetic: {release['n_findings_error']} error, {release['n_findings_warning']} warning, "
            f"{release['n_findings_info']} info (rounding)"
            + ("" if reader is None or reader != reader else f"; {int(reader)} where the reader could not read"))
        docs = paths.data_docs / "index.html"
        if docs.exists():
            console.print(f"Data Docs (integrity suites): {docs}")
        withdrawn = _withdrawn(paths, con)
        quarantined = [reason for document_id, _file_name, reason in con.rows(
            "select document_id, file_name, parse_reason from dim_document where parse_status = 'quarantined' "
            "order by file_name") if document_id not in withdrawn]
        _print_some([f"[yellow]document quarantined[/yellow] {escape(str(reason))}" for reason in quarantined],
                    "quarantined documents (mart dim_document, parse_status 'quarantined')", limit)
        _print_some(["[blue]document withdrawn[/blue] "
                     + escape(f"{file_name} ({document_id[:16]}) by {who} at {when:%Y-%m-%d %H:%M} UTC: {reason}")
                     for document_id, (file_name, reason, who, when)
                     in sorted(withdrawn.items(), key=lambda item: item[1][0])],
                    "withdrawn documents (mart document_withdrawal)", limit)
        _print_skipped_entries(con, limit)
        _print_some([f"[red]table quarantined[/red] {escape(f'{file_name} {table_code}: {rules}')}"
                     for table_code, file_name, rules in con.rows(
                         "select t.table_code, d.file_name, t.quarantine_rules from dim_report_table t "
                         "join dim_document d using (document_id) where t.publication_status = 'quarantined' "
                         "and t.quarantine_origin = 'source' order by d.file_name, t.table_code")],
                    "tables quarantined for their own arithmetic (mart dim_report_table)", limit)
        for severity, message, page in con.rows(
                "select severity, message, data_docs_page from dq_finding where severity in ('error', 'warning') "
                "and not waived and origin = 'source' order by severity, file_name, table_code, line_no limit 20"
        ):
            console.print(f"  [{'red' if severity == 'error' else 'yellow'}]{severity}[/] {escape(str(message))}"
                          + (f"\n    Data Docs: {escape(str(page))}" if page else ""))
    problems = current_problems(paths.published)
    problems = described(problems[problems["kind"].isin(["could_not_read", "version_held"])])
    _print_some([f"[magenta]{escape(str(summary))}[/magenta]" for summary in problems["summary"]],
                "documents with rows the reader could not read, or versions held back (mart dq_finding)", limit)


def main() -> None:
    """The ``fiscal`` command. It ends without tearing the interpreter down: after a refresh, freeing the modules
    and objects of dbt, Dagster and GX one by one took ~3 s of a two-report refresh's wall time, after every
    line was printed. What the interpreter does at exit before that teardown is done here (threads' exit hooks
    and joins, multiprocessing's exit hook), and output and log files are flushed and closed; every database
    connection, worker process and Dagster instance of a command is closed by the command itself."""
    try:
        app()
        code = 0
    except SystemExit as stop:  # how click ends every command, with its exit code or a message
        code = stop.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        try:
            print(code, file=sys.stderr)
        except (OSError, ValueError):
            pass
        code = 1
    # the interpreter's own first steps at exit: the threads' exit hooks (a process pool's manager thread still
    # has to tell a worker that is importing to stop: skipped, that worker never ended and neither did
    # `fiscal`), then every thread that is not a daemon is joined
    threading._shutdown()
    if (multiprocessing_util := sys.modules.get("multiprocessing.util")) is not None:
        # multiprocessing's exit hook: release the semaphores of the worker pools' queues (the resource tracker
        # would warn of them as leaked) and join the children
        multiprocessing_util._exit_function()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a reader that stopped early (| head), a full disk, or a closed stream
            pass
    os._exit(code)


if __name__ == "__main__":
    main()
