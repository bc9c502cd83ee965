"""Run the nightly_refresh job in-process and report its steps as they happen.

Used by `fiscal refresh`; the Dagster daemon runs the same job from the schedule. The run is recorded in
the warehouse's Dagster instance (``WarehousePaths.dagster_home``: ``<home>/dagster_home`` unless
``FISCAL_DAGSTER_HOME``), so `dagster dev` / the daemon pointed at it (``DAGSTER_HOME``) show CLI runs with
their materializations and asset checks. A new instance folder gets the server's dagster.yaml (with an empty
instance copied from the user's cache: orchestration/instance_template.py).
"""

from __future__ import annotations

import contextlib
import queue
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from dagster import AssetCheckEvaluation, DagsterEventType, DagsterInstance
from dagster._core.instance.ref import InstanceRef

from expectations import gx_worker
from orchestration.instance_template import copy_empty_instance
from orchestration.resources import WarehouseResource
from orchestration.warehouse import REPO_ROOT

INSTANCE_CONFIG = REPO_ROOT / "orchestration" / "deploy" / "dagster.yaml"

STEP_EVENTS = {DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE,
               DagsterEventType.STEP_SKIPPED}


@dataclass
class RefreshResult:
    success: bool
    run_id: str
    failures: list[tuple[str, str]] = field(default_factory=list)  # (step, error message)
    warnings: list[str] = field(default_factory=list)
    failed_checks: list[AssetCheckEvaluation] = field(default_factory=list)  # checks that did not pass
    dagster_home: Path | None = None


# Great Expectations is imported for the audit (expectations/gx_worker.py) once the parse has ended: its workers
# have exited (their memory and the GX worker's do not add up), and dbt builds for several seconds before the audit
GX_FROM = ("raw_layer", "STEP_SUCCESS")
STORAGE_KEYS = ("storage", "run_storage", "event_log_storage", "schedule_storage")
EVENT_LOG_STORAGE = "KeptConnectionsEventLogStorage"  # orchestration/event_log_storage.py


def open_instance(dagster_home: Path) -> DagsterInstance:
    """The persistent Dagster instance in ``dagster_home`` (created with the deploy dagster.yaml).

    Where that dagster.yaml leaves storage to Dagster's SQLite default, this process writes the event log
    through ``KeptConnectionsEventLogStorage`` (the same files; orchestration/event_log_storage.py)."""
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        # an empty folder gets a copy of an empty instance (orchestration/instance_template.py); one already
        # holding anything (run history without its dagster.yaml) is never written over
        empty = not any(dagster_home.iterdir())
        if not (empty and copy_empty_instance(dagster_home, INSTANCE_CONFIG, EVENT_LOG_STORAGE,
                                              _create_empty_instance)):
            _write_config(dagster_home)
    return _open(dagster_home, config)


def _write_config(dagster_home: Path) -> Path:
    config = dagster_home / "dagster.yaml"
    config.write_text(INSTANCE_CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    return config


def _create_empty_instance(folder: Path) -> None:
    """A new instance with the deploy dagster.yaml, created in ``folder`` and closed (``instance_template``)."""
    with _open(folder, _write_config(folder)):
        pass


def _open(dagster_home: Path, config: Path) -> DagsterInstance:
    settings = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    overrides = {}
    if not any(key in settings for key in STORAGE_KEYS):  # Dagster's default folder for the event log files
        default = InstanceRef.config_defaults(str(dagster_home))["event_log_storage"]
        overrides = {"event_log_storage": {
            "module": "orchestration.event_log_storage", "class": EVENT_LOG_STORAGE,
            "config": {"base_dir": yaml.safe_load(default.config_yaml)["base_dir"]}}}
    return DagsterInstance.from_ref(InstanceRef.from_dir(str(dagster_home), overrides=overrides))


def run_refresh(home: Path, inbox: Path, waivers: Path | None, log_path: Path,
                on_step: Callable[[str, str], None] | None = None,
                dagster_home: Path | None = None, prepare_gx: bool = True) -> RefreshResult:
    """Run the job; with ``prepare_gx``, Great Expectations is imported meanwhile in a worker process for the
    audit (expectations/gx_worker.py: the caller expects the audit to have new comparisons)."""
    from orchestration.warehouse import WarehousePaths

    dagster_home = dagster_home or WarehousePaths(home).dagster_home
    with open_instance(dagster_home) as instance:
        result = _run(instance, home, inbox, waivers, log_path, on_step, prepare_gx)
    result.dagster_home = dagster_home
    return result


def _run(instance: DagsterInstance, home: Path, inbox: Path, waivers: Path | None, log_path: Path,
         on_step: Callable[[str, str], None] | None, prepare_gx: bool = True) -> RefreshResult:
    from orchestration.definitions import defs

    job = defs.resolve_job_def("nightly_refresh")
    run_id = str(uuid.uuid4())
    resources = {"warehouse": WarehouseResource(home=str(home), inbox=str(inbox), waivers=str(waivers or ""))}
    outcome: dict = {}
    log_path.parent.mkdir(parents=True, exist_ok=True)

    def execute() -> None:
        with open(log_path, "w", encoding="utf-8") as log, contextlib.redirect_stdout(log), \
                contextlib.redirect_stderr(log):
            try:
                outcome["result"] = job.execute_in_process(
                    instance=instance, run_id=run_id, resources=resources, raise_on_error=False)
            except Exception as exc:  # definition or instance errors: reported, never swallowed
                outcome["error"] = exc

    # the instance hands each event it stores to its listeners (in the job's thread): step events are queued
    # for this thread to report (reading them back from the event log four times a second cost ~2 s of CPU
    # beside a 35 s refresh)
    steps: queue.SimpleQueue[tuple[str, str]] = queue.SimpleQueue()

    def listen(entry) -> None:  # noqa: ANN001 (an EventLogEntry)
        event = entry.dagster_event
        if event is not None and event.event_type in STEP_EVENTS:
            steps.put((event.step_key or "", event.event_type_value))

    instance.add_event_listener(run_id, listen)
    worker = threading.Thread(target=execute, name="nightly_refresh")
    worker.start()
    try:
        while True:
            worker.join(timeout=0.25)
            alive = worker.is_alive()
            while not steps.empty():
                step, kind = steps.get()
                if on_step:
                    on_step(step, kind)
                if prepare_gx and (step, kind) == GX_FROM:  # from this thread, which outlives the job
                    gx_worker.start()
            if not alive:
                break
    finally:
        gx_worker.stop()  # the audit stops it; a run that failed before its audit has not
    if "error" in outcome:
        return RefreshResult(False, run_id, [("job", f"{type(outcome['error']).__name__}: {outcome['error']}")])
    result = outcome["result"]
    failures, warnings, failed_checks = [], [], []
    for event in result.all_events:
        if event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed:
                failed_checks.append(evaluation)
        if event.event_type == DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error
            cause = error.cause.message if error and error.cause else (error.message if error else "")
            failures.append((event.step_key or "", cause.strip()))
    for record in instance.all_logs(run_id):
        if record.level >= 30 and record.user_message and record.dagster_event is None:
            warnings.append(record.user_message)
    return RefreshResult(result.success, run_id, failures, warnings, failed_checks)
