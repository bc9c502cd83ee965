"""Whether a build's marts differ from the published release: a refresh with nothing new publishes nothing.

The fingerprint of a marts database is a hash of every table's name, columns and types, row count and
order-independent hash of its rows (``row_hash``, summed; ``digest``). The publish computes it from the
per-document row hashes it compares a release's documents by (orchestration/publish.py ``_fingerprint``), so
the marts are read once for both.
Each release's fingerprint is kept beside it (``releases/<id>.sha``); a build whose fingerprint equals the
current release's is not published.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from orchestration.warehouse import WarehousePaths

# columns that record when something was last observed, not what the reports say: a scan of an unchanged
# inbox moves them, and that alone is not something new to publish
OBSERVATION_COLUMNS = {"inbox_entry": ("last_seen_at", "is_in_last_scan")}


def digest(tables: Iterable[tuple[str, list, int, int]]) -> str:
    """The fingerprint of (table, its [column, type] pairs, row count, sum of row hashes without the
    observation columns) for every table, in table order."""
    hashed = hashlib.sha256()
    for table, columns, count, rows in tables:
        hashed.update(f"{table}|{[list(c) for c in columns]}|{count}|{rows}\n".encode())
    return hashed.hexdigest()


def row_hash(columns: list) -> str:
    """SQL for one hash of a row of ``t`` over ``columns`` ((name, type) pairs), named one by one: ``hash(t)``
    would read a column named t instead of the row. A nested value is hashed as its text: DuckDB hashes a
    NULL list like an empty one, a NULL struct like one of NULL fields. Summed over rows (not xor-ed: two
    equal rows do not cancel out)."""
    def hashed(name: str, data_type: str) -> str:
        nested = data_type.endswith("]") or data_type.split("(")[0] in {"STRUCT", "MAP", "UNION"}
        return f'cast(t."{name}" as varchar)' if nested else f't."{name}"'
    return "hash(" + ", ".join(hashed(name, data_type) for name, data_type in columns) + ")"


def stamp_of(paths: WarehousePaths, release_id: str) -> Path:
    return paths.releases / f"{release_id}.sha"


def unchanged_release(paths: WarehousePaths, build: str) -> str | None:
    """The current release's id when its fingerprint equals ``build``, else None."""
    from orchestration.publish import current_release

    current = current_release(paths)
    if current is None:
        return None
    stamp = stamp_of(paths, current)
    return current if stamp.exists() and stamp.read_text().strip() == build else None


def remember(paths: WarehousePaths, release_id: str, build: str) -> None:
    stamp_of(paths, release_id).write_text(build + "\n")
    for stale in paths.releases.glob("*.sha"):  # of releases pruned by publish
        if not stale.with_suffix(".duckdb").exists():
            stale.unlink()
