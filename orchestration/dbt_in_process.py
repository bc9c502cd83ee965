"""dbt run in the refresh's own process instead of a new ``dbt`` process per call.

A refresh calls dbt twice (before and after the audit). As a subprocess each call paid a Python start, dbt's
imports and loading the project's partial parse (~4 s of a 6 s call on the bundled samples, of which dbt's
own work was 1.4 s). In-process, dbt's programmatic API (``dbtRunner``) loads the project once per refresh
(``parse``, using the home's partial parse) and both calls run on that manifest, so neither parses again.

dagster-dbt drives dbt through ``DbtCliInvocation``, which reads a process's JSON log lines and exit code.
``InProcessDbt`` is that process: it runs ``dbtRunner`` with the same arguments, environment and working
folder, receives dbt's events through a callback and turns each into the line ``--log-format json`` would
have printed (``msg_to_dict``: info level and above, as dbt prints by default), and its return code is dbt's
(0 done, 1 failed nodes, 2 dbt could not run). ``in_process(resource)`` puts it in place of
``subprocess.Popen`` in dagster-dbt's invocation module for the span of one ``DbtCliResource.cli`` call, so
everything else (selection from the Dagster context, events, artifacts) is dagster-dbt's own.

After each call dbt-duckdb's connection to the build database is closed: it would otherwise stay open in this
process, and DuckDB refuses a second connection to the file with another configuration (the audit opens it
read-only).
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import threading
import types
from collections.abc import Iterator, Sequence
from pathlib import Path

import orjson

from ingest.fingerprint import files_fingerprint

_LEVELS = {"info", "warn", "error"}
_LOCK = threading.Lock()  # dbt's flags, event manager and adapters are process globals
_MANIFESTS: dict[tuple, object] = {}  # ``_settings_key`` -> the project parsed under it


_PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "models/**/*.*", "macros/**/*.*", "seeds/**/*.*", "tests/**/*.*")


def _settings_key(env: dict[str, str], cwd: str) -> tuple:
    """What a parsed manifest depends on: the project's files, the profiles folder and the settings the
    profile reads."""
    return (files_fingerprint(_PROJECT_FILES, Path(cwd)), os.path.realpath(cwd), env.get("DBT_PROFILES_DIR"),
            tuple(sorted((k, v) for k, v in env.items() if k.startswith("FISCAL_"))))


@contextlib.contextmanager
def _environment(env: dict[str, str], cwd: str) -> Iterator[None]:
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


def _close_duckdb() -> None:
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # no dbt-duckdb: nothing held
        return
    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()


def _write_run_results(result, target: Path) -> None:
    """``run_results.json`` of a call, the one artifact read after it (``dbt_isolation`` traces failed tests).

    dbt writes it and the whole manifest (``manifest.json``, ~5 MB, 0.5–0.7 s a call) unless told
    ``--no-write-json``; the refresh reads nodes from the manifest it was defined with, so only the results
    are written."""
    if hasattr(result, "write"):
        target.mkdir(parents=True, exist_ok=True)
        result.write(str(target / "run_results.json"))


class InProcessDbt:
    """A finished ``dbt <args>`` run in this process, in the shape of the ``subprocess.Popen`` that
    dagster-dbt reads: ``args``, ``stdout`` (JSON log lines), ``returncode``, ``wait()``."""

    def __init__(self, args: Sequence[str], stdout=None, stderr=None, env: dict[str, str] | None = None,
                 cwd: str | Path | None = None, **_):
        from dbt.cli.main import dbtRunner
        from dbt_common.events.functions import msg_to_dict

        self.args = list(args)
        lines: list[bytes] = []

        def keep(event) -> None:
            if event.info.level in _LEVELS:
                lines.append(orjson.dumps(msg_to_dict(event), default=str) + b"\n")

        env = dict(env if env is not None else os.environ)
        cwd = str(cwd or os.getcwd())
        # events reach ``keep`` (nothing printed twice); run_results.json is written below, not manifest.json
        dbt_args = [*self.args[1:], "--log-level", "none", "--no-write-json"]
        key = _settings_key(env, cwd)
        with _LOCK, _environment(env, cwd):
            try:
                manifest = _MANIFESTS.get(key)
                if manifest is None:
                    parsed = dbtRunner().invoke(["parse", "--log-level", "none", "--no-write-json"])
                    if parsed.success:
                        manifest = _MANIFESTS[key] = parsed.result
                result = dbtRunner(manifest=manifest, callbacks=[keep]).invoke(dbt_args)
                _write_run_results(result.result, Path(cwd) / env.get("DBT_TARGET_PATH", "target"))
            finally:
                _close_duckdb()
        self.returncode = 0 if result.success else (2 if result.exception is not None else 1)
        if result.exception is not None:
            lines.append(orjson.dumps({"info": {"level": "error", "msg": f"dbt could not run: {result.exception}",
                                                "name": "InProcessError"}, "data": {}}) + b"\n")
        self.stdout = io.BytesIO(b"".join(lines))

    def wait(self, timeout: float | None = None) -> int:
        return self.returncode

    def send_signal(self, sig) -> None:  # the run has finished before anyone can interrupt it
        return None


@contextlib.contextmanager
def in_process() -> Iterator[None]:
    """dagster-dbt's invocations start ``InProcessDbt`` instead of a ``dbt`` process while this is open."""
    from dagster_dbt.core import dbt_cli_invocation

    shim = types.SimpleNamespace(Popen=InProcessDbt, PIPE=subprocess.PIPE, STDOUT=subprocess.STDOUT)
    original = dbt_cli_invocation.subprocess
    dbt_cli_invocation.subprocess = shim
    try:
        yield
    finally:
        dbt_cli_invocation.subprocess = original
