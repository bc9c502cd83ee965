"""A new warehouse home's Dagster instance, copied from an empty one instead of created.

Creating a Dagster instance creates its SQLite databases (run storage, schedules, the event log's index) and
stamps each with its alembic revision: ~1.7–2.5 s of a two-report refresh into a new home, most of it
importing alembic and walking its migration scripts (py-spy, docs/BENCHMARKS.md), the same every time. A
new home now gets a copy of an empty instance created once per Dagster version and instance configuration
and kept in the user's cache (``$XDG_CACHE_HOME/fiscal`` or ``~/.cache/fiscal``): the same files the
creation writes (an empty ``instance_info``: each home's run storage draws its own id when first asked).
Where the cache cannot be written, the home's instance is created as before.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path


def cache_folder() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "fiscal"


def _template(config: Path, storage: str, create: Callable[[Path], None]) -> Path:
    """The empty instance for this Dagster version, instance configuration and event log storage; created
    (in a folder of its own, then renamed into place) when missing."""
    key = hashlib.sha256(b"\0".join((version("dagster").encode(), config.read_bytes(), storage.encode())))
    template = cache_folder() / f"dagster_home-{key.hexdigest()[:16]}"
    if not template.is_dir():
        staging = template.with_name(f".{template.name}.{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            create(staging)
            os.rename(staging, template)
        except OSError:
            if not template.is_dir():  # not another process creating the same template meanwhile
                raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return template


def copy_empty_instance(dagster_home: Path, config: Path, storage: str, create: Callable[[Path], None]) -> bool:
    """Fill the new instance folder ``dagster_home`` (no dagster.yaml yet) with a copy of the empty instance
    that ``create(folder)`` makes; False (nothing copied) when the cache cannot be written or read."""
    try:
        shutil.copytree(_template(config, storage, create), dagster_home, dirs_exist_ok=True)
    except (OSError, RuntimeError):  # RuntimeError: no home folder to find the cache in
        return False
    return True
