"""Bounded housekeeping: dbt's per-invocation target folders and the refresh logs.

dagster-dbt gives every dbt call its own folder under ``dbt_project/target/`` (``<op>-<hash>-<hash>``, with
``run_results.json``, which holds the SQL each node ran as ``compiled_code``; in-process calls write no
``manifest.json`` and no file per node under ``compiled/`` and ``run/``, which ``FISCAL_DBT_SUBPROCESS=1``
writes as dbt does); ``fiscal refresh`` writes one log per run.
Both are pruned to the newest few after every publish (``FISCAL_KEEP_DBT_TARGETS``, default 6: the last
refreshes' folders for a maintainer to read; ``FISCAL_KEEP_LOGS``, default 30).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

KEEP_DBT_TARGETS = 6
KEEP_LOGS = 30


def _keep(variable: str, default: int) -> int:
    try:
        return max(0, int(os.environ.get(variable, default)))
    except ValueError:
        return default


def newest_first(paths: list[Path]) -> list[Path]:
    return sorted(paths, key=lambda p: (p.stat().st_mtime, p.name), reverse=True)


def prune_dbt_targets(target_dir: Path, keep: int | None = None) -> list[Path]:
    """Remove all but the newest ``keep`` run folders of dbt's target directory (dagster-dbt's per-call
    ``<step>-<id>-<hash>`` folders; its top-level files and each target's manifest folder — ``local``,
    ``postgres`` — stay). Returns the folders removed."""
    keep = _keep("FISCAL_KEEP_DBT_TARGETS", KEEP_DBT_TARGETS) if keep is None else keep
    if not target_dir.is_dir():
        return []
    folders = newest_first([p for p in target_dir.iterdir() if p.is_dir() and not p.is_symlink() and "-" in p.name])
    for folder in folders[keep:]:
        shutil.rmtree(folder, ignore_errors=True)
    return folders[keep:]


def prune_logs(log_dir: Path, keep: int | None = None, pattern: str = "refresh-*.log") -> list[Path]:
    """Remove all but the newest ``keep`` refresh logs. Returns the files removed."""
    keep = _keep("FISCAL_KEEP_LOGS", KEEP_LOGS) if keep is None else keep
    if not log_dir.is_dir():
        return []
    logs = newest_first([p for p in log_dir.glob(pattern) if p.is_file()])
    for log in logs[keep:]:
        log.unlink(missing_ok=True)
    return logs[keep:]
