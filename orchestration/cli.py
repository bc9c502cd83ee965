"""`fiscal`: run the nightly refresh, query the published marts, see what happened, roll back."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import duckdb
import psycopg
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from orchestration.warehouse import WarehousePaths, resolve_home, resolve_inbox

app = typer.Typer(help="Chinese public-finance disclosures warehouse (部门预算/决算, 绩效).", no_args_is_help=True)
# Wide output when piped (rich would wrap at 80 columns), the terminal width otherwise.
console = Console(file=sys.__stdout__, width=None if sys.__stdout__.isatty() else 200)

HomeOption = Annotated[Path | None, typer.Option("--home", envvar="FISCAL_HOME",
                                                 help="Warehouse home (default ./warehouse).")]
TRY_QUERY = ("select unit_name, fiscal_year, income_total, expenditure_total, three_public_final "
             "from mart_unit_year_overview order by unit_name, fiscal_year")
STEP_LABELS = {
    "raw__document_files": "keep inbox files by content hash",
    "raw_layer": "parse new reports into the raw layer",
    "dbt_staging_intermediate": "dbt: staging and intermediate models",
    "integrity_findings": "integrity suites (Great Expectations)",
    "dbt_marts": "dbt: marts",
    "marts__fct_fiscal_amount_every_amount_accounted_for": "check: each amount published, held or superseded",
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
) -> None:
    """Run the nightly refresh job: ingest, build, audit, publish."""
    from orchestration.runner import run_refresh

    paths = WarehousePaths(resolve_home(home)).ensure()
    inbox_dir = resolve_inbox(inbox)
    if not inbox_dir.exists():
        console.print(f"[red]inbox {inbox_dir} does not exist[/red]")
        raise typer.Exit(2)
    started = datetime.now(UTC)
    log_path = paths.home / "logs" / f"refresh-{started:%Y%m%dT%H%M%S}.log"
    console.print(f"Refreshing [bold]{paths.home}[/bold] from inbox [bold]{inbox_dir}[/bold]")
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

        result = run_refresh(paths.home, inbox_dir, waivers, log_path, on_step)
        progress.update(overall, total=1, completed=1)
    summary = _load_summary(paths)
    summary.update(run_id=result.run_id, started_at=started.isoformat(), inbox=str(inbox_dir),
                   success=result.success, log=str(log_path), failures=result.failures, warnings=result.warnings)
    paths.last_refresh.write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    for message in result.warnings:
        console.print(f"[yellow]![/yellow] {message}")
    if not result.success:
        from orchestration.alerts import announce_failure

        announce_failure(paths, result.run_id, result.failures or [("job", "run failed")])
        for step, message in result.failures:
            console.print(f"[red]refresh failed in {step}:[/red] {message}")
        console.print(f"Full log: {log_path}. The previously published marts are unchanged.")
        raise typer.Exit(1)
    _print_status(paths)
    console.print(f"\nPublished marts: [bold]{_published_name(paths)}[/bold]")
    console.print(f'Try: {_fiscal_command()} query "{TRY_QUERY}"' + ("" if home is None else f" --home {paths.home}"))


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="SQL to run read-only on the published marts.")],
    home: HomeOption = None,
    output: Annotated[str, typer.Option("--format", help="table | csv | json")] = "table",
) -> None:
    """Run read-only SQL on the published marts."""
    from expectations.build_database import BuildDatabase

    paths = WarehousePaths(resolve_home(home))
    if not paths.has_published():
        console.print(f"[red]no published marts at {_published_name(paths)}; run `fiscal refresh` first[/red]")
        raise typer.Exit(2)
    with BuildDatabase(paths.published, read_only=True) as con:
        try:
            frame = con.df(sql)
        except (duckdb.Error, psycopg.Error) as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from exc
    if output == "csv":
        sys.__stdout__.write(frame.to_csv(index=False))
    elif output == "json":
        sys.__stdout__.write(frame.to_json(orient="records", force_ascii=False, date_format="iso") + "\n")
    else:
        table = Table(show_lines=False)
        for column in frame.columns:
            table.add_column(str(column))
        for row in frame.itertuples(index=False):
            table.add_row(*["" if value is None else str(value) for value in row])
        console.print(table)
        console.print(f"{len(frame)} rows")


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
def status(home: HomeOption = None) -> None:
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
            console.print(f"  [red]{step}[/red]: {message}")
    _print_status(paths)


@app.command()
def rollback(home: HomeOption = None) -> None:
    """Publish the previous release of the marts again."""
    from orchestration.postgres_publish import rollback_on_server
    from orchestration.publish import rollback as do_rollback

    paths = WarehousePaths(resolve_home(home))
    try:
        release = rollback_on_server(paths.server) if paths.server else do_rollback(paths)
    except RuntimeError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"Marts rolled back to release {release}: {_published_name(paths)}")


def _published_name(paths: WarehousePaths) -> str:
    return f"schema marts of PostgreSQL database {paths.server.dbname}" if paths.server else str(paths.marts_db)


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


def _print_status(paths: WarehousePaths) -> None:
    from expectations.build_database import BuildDatabase
    from orchestration.alerts import current_problems
    from orchestration.publish import current_release

    if not paths.has_published():
        console.print("no published marts yet")
        return
    with BuildDatabase(paths.published, read_only=True) as con:
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
        for _file_name, reason in con.rows(
                "select file_name, parse_reason from dim_document where parse_status = 'quarantined' "
                "order by file_name"):
            console.print(f"  [yellow]document quarantined[/yellow] {reason}")
        for table_code, file_name, rules in con.rows(
                "select t.table_code, d.file_name, t.quarantine_rules from dim_report_table t "
                "join dim_document d using (document_id) where t.publication_status = 'quarantined' "
                "and t.quarantine_origin = 'source' order by d.file_name, t.table_code"):
            console.print(f"  [red]table quarantined[/red] {file_name} {table_code}: {rules}")
        for severity, message in con.rows(
                "select severity, message from dq_finding where severity in ('error', 'warning') and not waived "
                "and origin = 'source' order by severity, file_name, table_code, line_no limit 20"):
            console.print(f"  [{'red' if severity == 'error' else 'yellow'}]{severity}[/] {message}")
    problems = current_problems(paths.published)
    for summary in problems.loc[problems["kind"] == "could_not_read", "summary"]:
        console.print(f"  [magenta]{summary}[/magenta]")


if __name__ == "__main__":
    app()
