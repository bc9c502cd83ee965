"""The Dagster code location: `dagster dev -m orchestration.definitions` shows the graph."""

from __future__ import annotations

from dagster import Definitions

from orchestration.assets import (
    DBT_EXECUTABLE,
    dbt_marts,
    dbt_project,
    dbt_staging_intermediate,
    every_amount_accounted_for,
    inbox_reports,
    integrity_findings,
    maintainer_alerts,
    published_marts,
    raw_document_withdrawals,
    raw_inbox_entries,
    raw_layer_tables,
    report_versions,
)
from orchestration.dbt_resource import FiscalDbtCliResource
from orchestration.integrity_checks import integrity_rules
from orchestration.jobs import nightly_refresh, nightly_schedule
from orchestration.resources import WarehouseResource
from orchestration.sensors import freshness_sensor, inbox_sensor, refresh_failure_alert

defs = Definitions(
    assets=[inbox_reports, raw_inbox_entries, raw_document_withdrawals, raw_layer_tables, report_versions,
            dbt_staging_intermediate, integrity_findings,
            dbt_marts, published_marts, maintainer_alerts],
    asset_checks=[every_amount_accounted_for, integrity_rules],
    jobs=[nightly_refresh],
    schedules=[nightly_schedule],
    sensors=[inbox_sensor, refresh_failure_alert, freshness_sensor],
    resources={
        "dbt": FiscalDbtCliResource(project_dir=dbt_project, profiles_dir=str(dbt_project.profiles_dir),
                              dbt_executable=DBT_EXECUTABLE),
        "warehouse": WarehouseResource(),
    },
)
