"""The nightly refresh job and its schedule (02:00 Asia/Shanghai)."""

from __future__ import annotations

from dagster import AssetSelection, DefaultScheduleStatus, ScheduleDefinition, define_asset_job

nightly_refresh = define_asset_job(
    "nightly_refresh",
    selection=AssetSelection.all() - AssetSelection.assets("report_versions"),
    description="Ingest the inbox, build and audit the warehouse, publish the marts, alert maintainers.",
    tags={"fiscal/warehouse": "default"},  # dagster.yaml limits runs with this tag to one at a time
)

nightly_schedule = ScheduleDefinition(
    job=nightly_refresh,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    name="nightly_refresh_0200_shanghai",
    default_status=DefaultScheduleStatus.RUNNING,
)
