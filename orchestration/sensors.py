"""Sensors beside the job they drive: the inbox sensor, refresh-failure alerts and freshness.

All three run under ``dagster-daemon`` (see docs/OPERATIONS.md) and start RUNNING by default, so a
deployed warehouse needs no clicking to be watched.
"""

from __future__ import annotations

import hashlib
import json

from dagster import (
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from ingest.inbox_scan import scan_inbox
from ingest.names import printable
from orchestration.alerts import announce_failure, check_freshness
from orchestration.jobs import nightly_refresh
from orchestration.resources import WarehouseResource


@sensor(job=nightly_refresh, minimum_interval_seconds=60, default_status=DefaultSensorStatus.RUNNING,
        description="Starts a refresh when files appear or change in the inbox.")
def inbox_sensor(context: SensorEvaluationContext, warehouse: WarehouseResource):
    """Why: reports trickle in during the day; a new or corrected file should reach the marts without
    waiting for the night. The cursor holds (size, mtime) per path, so a tick costs one stat per file
    and reads no file; the run hashes the new files once, parses only documents it has not seen, and
    records each new report as a partition of ``report_versions``."""
    inbox = warehouse.inbox_dir()
    if not inbox.exists():
        return SkipReason(f"inbox {inbox} does not exist")
    seen: dict[str, list[int]] = json.loads(context.cursor) if context.cursor else {}
    # the run's own scan records what is skipped and why; a file vanishing meanwhile is its skip, not an error
    current = {printable(str(entry.path)): [entry.size_bytes, entry.mtime_ns]
               for entry in scan_inbox(inbox) if entry.action in ("read", "manifest")}
    changed = sorted(path for path, fingerprint in current.items() if seen.get(path) != fingerprint)
    if not changed:
        return SkipReason(f"no new or changed files among {len(current)} in {inbox}")
    run_key = hashlib.sha256(json.dumps([[p, *current[p]] for p in changed]).encode()).hexdigest()[:24]
    return SensorResult(
        run_requests=[RunRequest(run_key=run_key, tags={"fiscal/trigger": "inbox_sensor",
                                                        "fiscal/new_files": str(len(changed))})],
        cursor=json.dumps(current),
    )


@run_failure_sensor(monitored_jobs=[nightly_refresh], default_status=DefaultSensorStatus.RUNNING,
                    description="Alerts maintainers when a refresh fails.")
def refresh_failure_alert(context: RunFailureSensorContext, warehouse: WarehouseResource) -> None:
    """Why: a failed run leaves the previous marts published; maintainers must know the night was lost."""
    failures = [(event.step_key or "job", event.step_failure_data.error.message if event.step_failure_data.error
                 else "") for event in context.get_step_failure_events()]
    announce_failure(warehouse.paths(), context.dagster_run.run_id,
                     failures or [("job", context.failure_event.message or "run failed")])


@sensor(minimum_interval_seconds=1800, default_status=DefaultSensorStatus.RUNNING,
        description="Alerts once when no refresh has published for 26 hours.")
def freshness_sensor(context: SensorEvaluationContext, warehouse: WarehouseResource):
    """Why: a daemon that stopped, or a schedule that never fires, fails silently otherwise."""
    alert = check_freshness(warehouse.paths())
    return SkipReason(alert.title if alert else "marts are fresh (or already announced as stale)")
