"""The Dagster code location: `dagster dev -m orchestration.definitions` shows the graph."""

from __future__ import annotations

from dagster import AssetSelection, Definitions, ScheduleDefinition, define_asset_job
from dagster_dbt import DbtCliResource

from orchestration.assets import (
    DBT_EXECUTABLE,
    dbt_marts,
    dbt_project,
    dbt_staging_intermediate,
    every_amount_accounted_for,
    inbox_reports,
    integrity_findings,
    published_marts,
    raw_layer_tables,
)
from orchestration.resources import WarehouseResource

nightly_refresh = define_asset_job(
    "nightly_refresh",
    selection=AssetSelection.all(),
    description="Ingest the inbox, build and audit the warehouse, publish the marts.",
)

nightly_schedule = ScheduleDefinition(
    job=nightly_refresh,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    name="nightly_refresh_0200_shanghai",
)

defs = Definitions(
    assets=[inbox_reports, raw_layer_tables, dbt_staging_intermediate, integrity_findings, dbt_marts, published_marts],
    asset_checks=[every_amount_accounted_for],
    jobs=[nightly_refresh],
    schedules=[nightly_schedule],
    resources={
        "dbt": DbtCliResource(project_dir=dbt_project, profiles_dir=str(dbt_project.profiles_dir),
                              dbt_executable=DBT_EXECUTABLE),
        "warehouse": WarehouseResource(),
    },
)
