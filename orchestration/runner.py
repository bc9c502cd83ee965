"""Run the nightly_refresh job in-process and report its steps as they happen.

Used by `fiscal refresh`; the Dagster daemon runs the same job from the schedule.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dagster import DagsterEventType, DagsterInstance

from orchestration.resources import WarehouseResource

STEP_EVENTS = {DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE,
               DagsterEventType.STEP_SKIPPED}


@dataclass
class RefreshResult:
    success: bool
    run_id: str
    failures: list[tuple[str, str]] = field(default_factory=list)  # (step, error message)
    warnings: list[str] = field(default_factory=list)


def run_refresh(home: Path, inbox: Path, waivers: Path | None, log_path: Path,
                on_step: Callable[[str, str], None] | None = None) -> RefreshResult:
    from orchestration.definitions import defs

    job = defs.resolve_job_def("nightly_refresh")
    instance = DagsterInstance.ephemeral()
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

    worker = threading.Thread(target=execute, name="nightly_refresh")
    worker.start()
    cursor: str | None = None
    while True:
        worker.join(timeout=0.25)
        alive = worker.is_alive()
        # only the step events, and only those after the cursor: reading the whole event log on every
        # tick cost a large refresh minutes of CPU beside the job
        connection = instance.get_records_for_run(run_id, cursor=cursor, of_type=STEP_EVENTS)
        cursor = connection.cursor or cursor
        for record in connection.records:
            event = record.event_log_entry.dagster_event
            if event is not None and on_step:
                on_step(event.step_key or "", event.event_type_value)
        if not alive:
            break
    if "error" in outcome:
        return RefreshResult(False, run_id, [("job", f"{type(outcome['error']).__name__}: {outcome['error']}")])
    result = outcome["result"]
    failures, warnings = [], []
    for event in result.all_events:
        if event.event_type == DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error
            cause = error.cause.message if error and error.cause else (error.message if error else "")
            failures.append((event.step_key or "", cause.strip()))
    for record in instance.all_logs(run_id):
        if record.level >= 30 and record.user_message and record.dagster_event is None:
            warnings.append(record.user_message)
    return RefreshResult(result.success, run_id, failures, warnings)
