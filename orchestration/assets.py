"""Assets of the nightly refresh, by layer:

ingest   raw/document_files -> raw/{documents,cells,…}   (files kept by hash; only new documents parsed)
dbt      staging -> intermediate             (one @dbt_assets over the whole project)
audit    integrity_findings                  (GX suites; decides what is quarantined)
dbt      marts                               (facts minus quarantined tables, findings, dims)
publish  published_marts                     (atomic swap, previous version kept)

FISCAL_TARGET=postgres runs the same assets on a PostgreSQL server (ingest/postgres.py): the raw layer is
copied there with COPY after every change, dbt builds with the ``postgres`` target, the audit reads and
writes there, and publishing renames ``marts_next`` to ``marts`` in one transaction.

The marts read the audit tables as a dbt source mapped to ``integrity_findings``, so Dagster runs
dbt twice in one job: staging/intermediate first, then, after the audit, everything downstream of the audit
tables (``source:audit+``: which version of a report is current reads the audit's holds, so a newer copy
whose arithmetic fails where the older one passes does not supersede it) and the marts.
"""


import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    AssetMaterialization,
    AssetSpec,
    DynamicPartitionsDefinition,
    MaterializeResult,
    asset,
    asset_check,
    multi_asset,
)
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from expectations import gx_worker
from expectations.audit_ledger import DBT_BUILD_INPUTS, files_fingerprint
from expectations.build_database import BuildDatabase
from expectations.gate import AUDITED_RELATIONS, run_integrity
from ingest import raw_layer
from ingest.inbox import parse_pending, register_inbox
from ingest.postgres import sync_raw, target_name
from ingest.store import RawFileStore
from ingest.withdrawals import apply_withdrawals
from orchestration.alerts import announce_changes
from orchestration.dbt_in_process import PROJECT_FILES, parse_project
from orchestration.dbt_isolation import build_isolated, hold_fingerprint
from orchestration.dbt_metadata import with_table_metadata
from orchestration.dbt_resource import runs_in_own_process
from orchestration.home_lock import home_lock
from orchestration.housekeeping import prune_dbt_targets, prune_logs
from orchestration.listing import shown
from orchestration.memory import release_freed_memory, rss_mb
from orchestration.postgres_publish import publish_on_server
from orchestration.publish import publish
from orchestration.release_fingerprint import remember, unchanged_release
from orchestration.resources import WarehouseResource
from orchestration.warehouse import REPO_ROOT

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# dbt installed beside this interpreter (the venv), so `fiscal` works without an activated venv
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt")) if Path(sys.executable).with_name("dbt").exists() else "dbt"
# one manifest per target: node schemas differ (the server builds the marts into marts_next)
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR,
                         target_path=Path("target") / target_name(), target=target_name())


def ensure_manifest() -> Path:
    """dbt's manifest is derived from the project; build it when missing or older than the models."""
    manifest = dbt_project.manifest_path
    # the project's own files, not target/ or logs/ (other refreshes prune target/'s folders meanwhile)
    sources = [p for pattern in PROJECT_FILES for p in DBT_PROJECT_DIR.glob(pattern) if p.is_file()]
    if not manifest.exists() or max(p.stat().st_mtime for p in sources) > manifest.stat().st_mtime:
        if runs_in_own_process(DBT_EXECUTABLE):  # as every call then is (orchestration.dbt_resource)
            dbt = DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)
            dbt.cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()
        else:  # with the partial parse a new home's first dbt call starts from (orchestration.dbt_in_process)
            parse_project(DBT_PROJECT_DIR, dbt_project.target_path)
    return manifest


@asset(key=["raw", "document_files"], group_name="ingest",
       description="Every inbox file, kept immutably in the store by content hash; one row per sighting.")
def inbox_reports(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    """Why: nothing that reaches the inbox may be lost, and the same bytes under two names are one document."""
    paths = warehouse.paths()
    with _writer(context, paths), raw_layer.connect(str(paths.raw_db)) as con:
        counts = register_inbox(warehouse.inbox_dir(), RawFileStore(paths.store), con)
    skipped = counts.pop("skipped")
    context.log.info(f"inbox {warehouse.inbox_dir()}: {counts['files']} files, "
                     f"{counts['files_new_or_changed']} new or changed, {counts['entries_skipped']} entries skipped")
    log_some(context.log.info, [f"inbox entry skipped: {line}" for line in skipped], "inbox entries skipped")
    return MaterializeResult(metadata={"inbox": str(warehouse.inbox_dir()), **counts})


def log_some(log, lines: list[str], what: str) -> None:
    """The first lines of a long list, then how many more (orchestration/listing.py)."""
    for line in shown(lines, what):
        log(line)


def _writer(context: AssetExecutionContext, paths):
    """The home's lock for this step (re-entered when `fiscal refresh` holds it for the whole run)."""
    return home_lock(paths.home, f"a refresh (Dagster run {context.run.run_id})")


# every raw table the dbt sources read (raw/document_files is inbox_reports'), so none is an undeclared stub
RAW_TABLES = ("documents", "cells", "report_tables", "parse_issues", "narrative_claims", "narrative_figures",
              "performance_tables", "performance_indicators", "document_pages", "metadata_candidates",
              "manifest_entries")
# raw tables written outside the parse step, declared so the graph has no undeclared stubs: the inbox
# scan's record of every entry (by inbox_reports) and the maintainers' withdraw/restore log (`fiscal withdraw`)
raw_inbox_entries = AssetSpec(["raw", "inbox_entries"], deps=[inbox_reports], group_name="ingest",
                              description="Every inbox entry the scan saw, read or skipped and why (raw.duckdb).")
raw_document_withdrawals = AssetSpec(["raw", "document_withdrawals"], group_name="ingest",
                                     description="Append-only log of `fiscal withdraw` / `fiscal restore` actions.")
REPORTS = DynamicPartitionsDefinition(name="reports")
report_versions = AssetSpec(
    "report_versions", partitions_def=REPORTS, group_name="ingest",
    description="One partition per report version (content sha256): Dagster's view of each report's parse.",
)


@multi_asset(
    specs=[AssetSpec(["raw", table], deps=[inbox_reports], group_name="ingest",
                     description=f"Raw layer table {table} (raw.duckdb), loaded in bulk by the parser.")
           for table in RAW_TABLES],
    name="raw_layer",
)
def raw_layer_tables(context: AssetExecutionContext, warehouse: WarehouseResource):
    """Why: parsing is the expensive step, so only documents new to this parser version are parsed.

    One row per printed amount of every readable document (long format), with provenance.
    """
    paths = warehouse.paths()
    with _writer(context, paths), raw_layer.connect(str(paths.raw_db)) as con:
        log_some(context.log.info, [f"{file_name}: held back under other parser, models or tests; parsed again"
                                    for file_name in raw_layer.release_holds(con, hold_fingerprint())],
                 "held documents parsed again")
        for action, names in apply_withdrawals(con, RawFileStore(paths.store)).items():
            log_some(context.log.info, [f"{file_name}: {action} by a maintainer (fiscal withdraw / restore)"
                                        for file_name in names], f"documents {action}")
        counts = parse_pending(con, RawFileStore(paths.store),
                               on_loaded=lambda batch, n_pending: _record_reports(context, batch, n_pending))
        quarantined = con.execute(
            "select file_name, reason from documents where status = 'quarantined' order by file_name").fetchall()
    log_some(context.log.warning, [f"document quarantined: {reason}" for _file_name, reason in quarantined],
             "documents quarantined")
    if paths.server:
        copied = sync_raw(str(paths.raw_db), paths.server)
        context.log.info(f"raw layer copied to the server: {sum(copied.values())} rows")
    for table in RAW_TABLES:
        metadata = {**counts, "documents_quarantined_total": len(quarantined)} if table == "documents" else {}
        yield MaterializeResult(asset_key=AssetKey(["raw", table]), metadata=metadata)


# Each materialization event costs 3–20 ms in Dagster's event storage (a SQLite commit each: 8.7 s of the
# parse step for 400 reports on one machine, on the core the parse workers need): above this many reports in
# one run, only quarantined ones get one.
REPORT_EVENTS_LIMIT = 100


def _record_reports(context: AssetExecutionContext, documents: list[dict], n_pending: int) -> None:
    """Show each parsed report as a partition of report_versions, with its outcome (in a backfill of more
    than REPORT_EVENTS_LIMIT reports, the quarantined ones; the raw layer and dim_document hold them all)."""
    keys = [d["content_hash"] for d in documents]
    context.instance.add_dynamic_partitions(REPORTS.name, keys)
    if n_pending > REPORT_EVENTS_LIMIT:
        documents = [d for d in documents if d["status"] == "quarantined"]
    for document in documents:
        context.log_event(AssetMaterialization(
            asset_key=report_versions.key, partition=document["content_hash"],
            metadata={name: document[name] for name in ("file_name", "status", "reason", "unit_name", "fiscal_year",
                                                         "report_kind", "n_tables", "n_cells")
                      if document[name] is not None}))


class FiscalDbtTranslator(DagsterDbtTranslator):
    """Groups dbt nodes by layer folder (staging, intermediate, marts; seeds as reference)."""

    def get_asset_spec(self, manifest, unique_id, project) -> AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id) or {}
        fqn = node.get("fqn", [])
        if node.get("resource_type") == "seed":
            group = "reference"
        elif len(fqn) > 2 and fqn[1] in {"staging", "intermediate", "marts"}:
            group = fqn[1]
        else:
            group = spec.group_name
        return spec.replace_attributes(group_name=group)


MANIFEST = ensure_manifest()
BEFORE_AUDIT = "resource_type:seed staging intermediate"
# everything downstream of the audit's tables: the version choice (int_report_versions), the views that say
# which version is current, and the marts; selected by the graph, so a new model reading them cannot run early
AFTER_AUDIT = "source:audit+"
# dbt's tests are not Dagster asset checks: in a run that reaches Dagster they have all passed (a failing test
# either holds back the documents whose rows fail it and the build runs again, or fails the step), so 154
# checks that always read "passed" cost ~460 events (~3 s of every refresh) and told a maintainer nothing.
# They still run in every `dbt build` and gate the publish; each step logs how many ran. The catalog's
# integrity rules are the asset checks (orchestration/integrity_checks.py).
TRANSLATOR = FiscalDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=False))


@dbt_assets(manifest=MANIFEST, project=dbt_project, dagster_dbt_translator=TRANSLATOR,
            select=BEFORE_AUDIT, exclude=AFTER_AUDIT, name="dbt_staging_intermediate")
def dbt_staging_intermediate(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """Why: the audit reads the intermediate amounts, so these layers build (and test) before it.
    int_amounts_classified is incremental by document; when the models, seeds or parser changed since
    the build database was last built, every incremental model is rebuilt in full. A test failing on some
    documents' rows holds back those documents, and the build runs again without them."""
    paths = warehouse.paths()
    stamp, inputs, rebuilt = _build_inputs_stamp(paths, "dbt_build_inputs")
    if rebuilt:
        context.log.info("models, seeds or parser changed since the last build: incremental models rebuilt in full")
        # the marts follow: their incremental rows were built from the rows rebuilt here
        _stamp_path(paths, "dbt_marts_inputs").unlink(missing_ok=True)
    with _writer(context, paths):
        yield from with_table_metadata(
            build_isolated(dbt, context, ["build", *(["--full-refresh"] if rebuilt else [])], paths, log=context.log),
            paths, MANIFEST, context.log)
        _stamp_unless_subset(context, stamp, inputs)


def _stamp_unless_subset(context: AssetExecutionContext, stamp: Path, inputs: str) -> None:
    """A build of some of the models (a subset materialised in Dagster) rebuilt only those in full: the others
    still wait for theirs, so the stamp is left as it was."""
    if not context.is_subset:
        stamp.write_text(inputs)


def _marts_without_state_column(paths) -> list[str]:
    """Fact marts incremental by publication state that exist in the build database without the column (built
    by an older version of the models, whatever the stamp says): an incremental build would fail on them."""
    if paths.server is not None or not paths.build_db.exists():
        return []  # on a server the marts are built afresh on every refresh (orchestration/postgres_publish.py)
    nodes = json.loads(MANIFEST.read_text(encoding="utf-8"))["nodes"].values()
    marts = sorted(node["alias"] for node in nodes if node["resource_type"] == "model"
                   and node["config"].get("materialized") == "incremental" and node["schema"] == "marts")
    with BuildDatabase(paths.build, read_only=True) as build:
        tables = build.rows("select table_name, count(*) filter (where column_name = 'publication_state') "
                            "from information_schema.columns where table_schema = 'marts' group by table_name")
    return [name for name, with_state in tables if name in marts and not with_state]


def _stamp_path(paths, name: str) -> Path:
    return paths.build_db.with_name(f"{name}.sha" if not paths.server else f"{name}.{paths.server.dbname}.sha")


def _build_inputs_stamp(paths, name: str) -> tuple[Path, str, bool]:
    """(stamp file, fingerprint of the dbt project's models, macros and seeds, whether they changed since the
    stamp was written): each `dbt build` keeps its own stamp, since each rebuilds its incremental models in
    full when they changed, and a refresh that fails between the two builds must still rebuild the second's.
    (A new parser version re-parses every document, which changes each document's parse time instead.)"""
    stamp = _stamp_path(paths, name)
    inputs = files_fingerprint(DBT_BUILD_INPUTS)
    built = paths.server is not None or paths.build_db.exists()
    return stamp, inputs, not built or not stamp.exists() or stamp.read_text().strip() != inputs


@dbt_assets(manifest=MANIFEST, project=dbt_project, dagster_dbt_translator=TRANSLATOR,
            select=f"marts {AFTER_AUDIT}", name="dbt_marts")
def dbt_marts(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """Why: the marts read the audit's quarantine scope; dbt tests on keys (severity error) gate the publish.
    A test failing on some documents' rows holds back those documents: the layers below and the audit are
    brought up to date without them, and the marts built again."""
    paths = warehouse.paths()
    stamp, inputs, rebuilt = _build_inputs_stamp(paths, "dbt_marts_inputs")
    if rebuilt:
        context.log.info("models, macros or seeds changed since the marts were last built: fact marts rebuilt in full")
    elif stale := _marts_without_state_column(paths):
        rebuilt = True
        context.log.info(f"{', '.join(stale)} built without publication_state (an older version): fact marts "
                         "rebuilt in full")

    def without_held_documents() -> None:
        dbt.cli(["build", "--select", BEFORE_AUDIT, "--exclude", AFTER_AUDIT], manifest=MANIFEST,
                dagster_dbt_translator=TRANSLATOR).wait()
        _audit(paths, warehouse)
        release_freed_memory()

    with _writer(context, paths):
        yield from with_table_metadata(
            build_isolated(dbt, context, ["build", *(["--full-refresh"] if rebuilt else [])], paths,
                           after_hold=without_held_documents, log=context.log),
            paths, MANIFEST, context.log)
        _stamp_unless_subset(context, stamp, inputs)


# what the audit reads (expectations/gate.py), so the graph's lineage is the audit's
AUDIT_DEPS = [AssetKey(relation.split(".")) for relation in (
    *AUDITED_RELATIONS, "staging.stg_raw__report_tables", "staging.stg_raw__documents",
    "staging.stg_raw__parse_issues")]


@multi_asset(
    specs=[
        AssetSpec(["audit", "dq_finding"], deps=AUDIT_DEPS, group_name="audit",
                  description="Integrity findings of the GX suites, written into the build database."),
        AssetSpec(["audit", "quarantined_scope"], deps=AUDIT_DEPS, group_name="audit",
                  description="Tables (document × table) held back by unwaived error findings."),
    ],
    name="integrity_findings",
)
def integrity_findings(context: AssetExecutionContext, warehouse: WarehouseResource):
    """Why: a failing rule quarantines only its scope (one table), so the rest of a report still publishes.
    Only documents whose parse, rules or models changed are audited again; the others keep their findings."""
    paths = warehouse.paths()
    try:
        with _writer(context, paths):
            outcome = _audit(paths, warehouse)
    finally:
        gx_worker.stop()  # started by `fiscal refresh` (orchestration/runner.py): not needed past the audit
    before = rss_mb()
    release_freed_memory()  # the marts build comes next, with DuckDB's own memory (orchestration/memory.py)
    context.log.info(f"memory the audit freed returned to the system: resident {before:,.0f} -> {rss_mb():,.0f} MB")
    log_some(context.log.warning, [f"table quarantined: {table_code} of document {document_id[:12]}"
                                   for document_id, table_code in outcome.quarantined_tables], "tables quarantined")
    yield MaterializeResult(asset_key=AssetKey(["audit", "dq_finding"]), metadata={
        "checks": outcome.n_checks, "findings": outcome.n_findings, "waived": outcome.n_waived,
        "documents_audited": outcome.n_documents_audited, "comparisons_to_gx": outcome.n_candidates,
        **{f"findings_{severity}": count for severity, count in outcome.by_severity.items()},
    })
    yield MaterializeResult(asset_key=AssetKey(["audit", "quarantined_scope"]),
                            metadata={"tables_quarantined": len(outcome.quarantined_tables)})


def _audit(paths, warehouse: WarehouseResource):
    return run_integrity(paths.build, paths.raw_db, Path(warehouse.waivers) if warehouse.waivers else None,
                         docs_dir=paths.data_docs)


@asset_check(asset=AssetKey(["marts", "fct_fiscal_amount"]), blocking=True,
             description="Every audited amount is published, quarantined or superseded, exactly once.")
def every_amount_accounted_for(warehouse: WarehouseResource) -> AssetCheckResult:
    """Why: a join bug that drops or duplicates facts is a pipeline failure and must block the publish."""
    paths = warehouse.paths()
    marts = paths.build_marts_schema
    with BuildDatabase(paths.build, paths.raw_db, read_only=True) as con:
        audited, published, held, superseded, rates, duplicated = con.rows(f"""
            select
                (select count(*) from intermediate.int_amounts_classified),
                (select count(*) from {marts}.fct_fiscal_amount),
                (select count(*) from {marts}.fct_fiscal_amount_quarantined),
                (select count(*) from intermediate.int_fiscal_amounts_sourced a
                 where not a.is_current_version and a.fact_id not in
                     (select fact_id from {marts}.fct_fiscal_amount_quarantined)),
                -- rates (%), headcounts and counts: published apart from money
                (select count(*) from {marts}.fct_fiscal_quantity),
                (select count(*) - count(distinct fact_id) from (
                    select fact_id from {marts}.fct_fiscal_amount
                    union all select fact_id from {marts}.fct_fiscal_quantity
                    union all select fact_id from {marts}.fct_fiscal_amount_quarantined) as facts)
        """)[0]
        nodes, nodes_published, nodes_held, nodes_superseded = con.rows(f"""
            select
                (select count(*) from intermediate.int_performance_indicators_resolved),
                (select count(*) from {marts}.fct_performance_score),
                (select count(*) from {marts}.fct_performance_score_quarantined),
                (select count(*) from intermediate.int_performance_indicators_resolved n
                 where not n.is_current_version and n.score_fact_id not in
                     (select score_fact_id from {marts}.fct_performance_score_quarantined))
        """)[0]
    passed = (audited == published + held + superseded + rates and duplicated == 0
              and nodes == nodes_published + nodes_held + nodes_superseded)
    return AssetCheckResult(
        passed=passed, severity=AssetCheckSeverity.ERROR,
        metadata={"audited": audited, "published": published, "quarantined": held, "superseded": superseded,
                  "rates_and_counts": rates, "duplicated": duplicated, "score_nodes": nodes,
                  "score_nodes_published": nodes_published, "score_nodes_held": nodes_held,
                  "score_nodes_superseded": nodes_superseded},
    )


MART_KEYS = sorted(dbt_marts.keys)


@asset(group_name="publish", deps=MART_KEYS,
       description="The published marts database (warehouse/marts.duckdb), swapped in atomically.")
def published_marts(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    """Why: analysts must never see a half-built warehouse; the previous release stays for rollback.
    A build identical to the current release (nothing new in the inbox, rules or waivers) publishes nothing."""
    paths = warehouse.paths()
    if paths.server:  # PostgreSQL: a blue/green schema swap (orchestration/postgres_publish.py)
        with _writer(context, paths):
            release = publish_on_server(paths.server)
        published_to = f"schema marts of {paths.server.dbname}"
        summary = {"finished_at": datetime.now(UTC).isoformat(), "marts_db": published_to,
                   "target": target_name(), **release, "nothing_new": False}
        paths.last_refresh.write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str),
                                      encoding="utf-8")
        context.log.info(f"published release {release['release_id']} to {published_to}")
        return MaterializeResult(metadata={k: v for k, v in release.items() if k != "tables"})
    with _writer(context, paths):
        release = publish(paths, unchanged=lambda build: unchanged_release(paths, build))
    build = release["fingerprint"]
    if release.get("nothing_new"):
        summary = {"finished_at": datetime.now(UTC).isoformat(), "marts_db": str(paths.marts_db),
                   "release_id": release["release_id"], "nothing_new": True}
        context.log.info(f"nothing new: the marts equal release {release['release_id']}, which stays published")
    else:
        remember(paths, release["release_id"], build)
        summary = {"finished_at": datetime.now(UTC).isoformat(), "marts_db": str(paths.marts_db), **release,
                   "nothing_new": False}
        how = (f"copied from release {release['written_from']}, {release['tables_rewritten']} tables rewritten "
               f"({release['document_rows_rewritten']} rows of changed documents)" if release["written_from"]
               else "written whole")
        context.log.info(f"published release {release['release_id']} to {paths.marts_db}: {how}")
    paths.last_refresh.write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    removed = prune_dbt_targets(Path(dbt_project.project_dir) / "target")  # dagster-dbt's per-call folders
    removed_logs = prune_logs(paths.logs)
    return MaterializeResult(metadata={**{k: v for k, v in summary.items() if k != "tables"},
                                       "fingerprint": build, "dbt_target_folders_pruned": len(removed),
                                       "logs_pruned": len(removed_logs)})


@asset(group_name="operations", deps=[published_marts],
       description="One alert digest per refresh that changed the problems maintainers must hear about.")
def maintainer_alerts(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    """Why: a WARN check or a quarantined table does not fail the run, so alerting reads the findings
    themselves; each problem is announced once when it appears and once when it is resolved."""
    paths = warehouse.paths()
    with _writer(context, paths):
        alert = announce_changes(paths)
    if alert is None:
        context.log.info("no new or resolved problems: no alert sent")
        return MaterializeResult(metadata={"alert_sent": False})
    context.log.info(alert.title)
    return MaterializeResult(metadata={"alert_sent": True, "title": alert.title, "items": len(alert.items)})
