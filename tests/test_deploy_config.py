"""The shipped Dagster instance config loads, and the code location it points at has what the daemon runs."""

import shutil

from dagster import DagsterInstance
from dagster._core.run_coordinator import QueuedRunCoordinator

from orchestration.definitions import defs
from tests.conftest import REPO


def test_instance_config_queues_refreshes_one_at_a_time(tmp_path, monkeypatch):
    shutil.copy(REPO / "orchestration" / "deploy" / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with DagsterInstance.get() as instance:
        coordinator = instance.run_coordinator
        assert isinstance(coordinator, QueuedRunCoordinator)
        limits = coordinator.get_run_queue_config().tag_concurrency_limits
        assert {"key": "fiscal/warehouse", "limit": 1} in [dict(limit) for limit in limits]


def test_daemon_has_schedule_and_sensors():
    schedule = defs.resolve_schedule_def("nightly_refresh_0200_shanghai")
    assert schedule.cron_schedule == "0 2 * * *" and schedule.execution_timezone == "Asia/Shanghai"
    assert {s.name for s in defs.sensors} == {"inbox_sensor", "refresh_failure_alert", "freshness_sensor"}
    assert defs.resolve_job_def("nightly_refresh").tags["fiscal/warehouse"] == "default"
