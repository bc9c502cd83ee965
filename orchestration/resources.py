"""The warehouse resource: where the inbox and the warehouse home are, shared by every asset."""

from __future__ import annotations

from dagster import ConfigurableResource

from orchestration.warehouse import WarehousePaths, resolve_home, resolve_inbox


class WarehouseResource(ConfigurableResource):
    """Paths of one warehouse. Defaults: $FISCAL_HOME or ./warehouse, $FISCAL_INBOX or samples/inbox."""

    home: str = ""
    inbox: str = ""
    waivers: str = ""

    def paths(self) -> WarehousePaths:
        paths = WarehousePaths(resolve_home(self.home or None)).ensure()
        paths.export_for_dbt()
        return paths

    def inbox_dir(self):
        return resolve_inbox(self.inbox or None)
