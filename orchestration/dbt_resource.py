"""dagster-dbt's ``DbtCliResource`` without two start-up costs paid on every refresh.

* ``DbtCliResource._cli_version`` runs ``dbt --version`` in a subprocess (~2 s: a Python start and dbt's
  imports) once per resource instance, i.e. once per Dagster run. The dbt this project runs is the one
  installed beside this interpreter, so its version is read from the installed package's metadata.
* Before each call it builds a dbt adapter in-process (profile, project and macros: ~1 s) for dagster-dbt's
  ``fetch_row_counts()`` / ``fetch_column_metadata()``, which this project does not use: row counts and
  column schemas are read after dbt has finished (``orchestration/dbt_metadata.py``, since a DuckDB file
  takes no second process while dbt writes it). So no adapter is built.
* Each call ran dbt as a new process (imports and project load, ~4 s a call): it runs in this process
  (``orchestration/dbt_in_process.py``) unless ``FISCAL_DBT_SUBPROCESS=1``.
"""

from __future__ import annotations

import os
import sys
from functools import cached_property
from importlib import metadata
from pathlib import Path

from dagster_dbt import DbtCliResource
from packaging import version

from orchestration.dbt_in_process import in_process


def is_own_dbt(dbt_executable: str) -> bool:
    """The dbt installed beside this interpreter (not another executable configured)."""
    return Path(dbt_executable).parent == Path(sys.executable).parent


def runs_in_own_process(dbt_executable: str) -> bool:
    """dbt runs as a separate process: told so (``FISCAL_DBT_SUBPROCESS=1``) or another dbt than this one."""
    return os.environ.get("FISCAL_DBT_SUBPROCESS") == "1" or not is_own_dbt(dbt_executable)


class FiscalDbtCliResource(DbtCliResource):
    @cached_property
    def _cli_version(self) -> version.Version:
        if is_own_dbt(self.dbt_executable):
            return version.parse(metadata.version("dbt-core"))
        return super()._cli_version  # another dbt: ask it

    def _initialize_dbt_core_adapter(self, args):  # noqa: ANN001, ANN202 (dagster-dbt's private signature)
        return None

    def cli(self, args, **kwargs):  # noqa: ANN001, ANN201 (dagster-dbt's signature)
        if runs_in_own_process(self.dbt_executable):
            return super().cli(args, **kwargs)
        with in_process():
            return super().cli(args, **kwargs)
