"""dagster-dbt's ``DbtCliResource`` without two start-up costs paid on every refresh.

* ``DbtCliResource._cli_version`` runs ``dbt --version`` in a subprocess (~2 s: a Python start and dbt's
  imports) once per resource instance, i.e. once per Dagster run. The dbt this project runs is the one
  installed beside this interpreter, so its version is read from the installed package's metadata.
* Before each call it builds a dbt adapter in-process (profile, project and macros: ~1 s) for dagster-dbt's
  ``fetch_row_counts()`` / ``fetch_column_metadata()``, which this project does not use: row counts and
  column schemas are read after dbt has finished (``orchestration/dbt_metadata.py``, since a DuckDB file
  takes no second process while dbt writes it). So no adapter is built.
"""

from __future__ import annotations

import sys
from functools import cached_property
from importlib import metadata
from pathlib import Path

from dagster_dbt import DbtCliResource
from packaging import version


class FiscalDbtCliResource(DbtCliResource):
    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable).parent == Path(sys.executable).parent:
            return version.parse(metadata.version("dbt-core"))
        return super()._cli_version  # another dbt: ask it

    def _initialize_dbt_core_adapter(self, args):  # noqa: ANN001, ANN202 (dagster-dbt's private signature)
        return None
