"""Memory a step freed handed back to the system before the next step, so the refresh's peak is one step's.

``fiscal refresh`` runs every step in one process (a daemon's runs use a process per step, where this
changes nothing). The audit builds pandas frames of every comparison (Arrow
strings, allocated from Arrow's mimalloc pool) and frees them when it ends, but neither mimalloc nor glibc's
malloc gives freed pages back at once: the process kept ~1.1 GB of them into the marts build, where DuckDB
takes up to ``FISCAL_DBT_MEMORY`` more (docs/BENCHMARKS.md). Returning them first lowers the peak by that much.
"""

from __future__ import annotations

import ctypes
import gc
import os


def rss_mb() -> float:
    """This process's resident set in MB (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def release_freed_memory() -> None:
    """Collect garbage, then have Arrow's pool and the C allocator return their free pages to the system."""
    gc.collect()
    try:
        import pyarrow

        pyarrow.default_memory_pool().release_unused()
    except Exception:  # noqa: BLE001 - no pyarrow, or a pool without the call: nothing to return there
        pass
    try:
        trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # the C library the process runs on; glibc only
    except (OSError, TypeError):  # no dlopen(NULL) here (Windows)
        return
    if trim is not None:
        trim(0)
