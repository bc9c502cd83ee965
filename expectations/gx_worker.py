"""Great Expectations imported ahead of the audit, in a process of its own.

Importing GX takes ~3 s of CPU (its data context, every expectation class, scipy), and the audit needs it
whenever one comparison differs, which on real reports is nearly every refresh: in one more report at 10,000
reports it was a tenth of the refresh. Imported on a thread beside dbt it held the GIL that dbt needed (tried
in the sixth session: slower). So ``start()``, called when a refresh begins, spawns one worker process that
imports GX while the inbox is registered and parsed and dbt builds; ``evaluate()`` hands the audit's
comparisons to that worker (what goes over is the differing comparisons and the document names) and returns
its findings. Without a started worker, or if the worker died, GX runs in this process as before: the
findings are the same either way.

``FISCAL_GX_WORKER=0`` turns the worker off (GX imported in the refresh's process when first needed).
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pandas as pd

_pool: ProcessPoolExecutor | None = None


def _import_gx() -> None:
    import great_expectations  # noqa: F401

    import expectations.suite  # noqa: F401


def _evaluate(comparisons: pd.DataFrame, docs_dir: Path | None, documents: pd.DataFrame | None) -> pd.DataFrame:
    from expectations.suite import evaluate as evaluate_here

    return evaluate_here(comparisons, docs_dir, documents)


def start() -> None:
    """Spawn the worker (once) and let it import GX now."""
    global _pool
    if _pool is not None or os.environ.get("FISCAL_GX_WORKER", "1") == "0":
        return
    # a fresh interpreter ("spawn"): the refresh's process holds threads and open databases a fork would copy
    _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                initializer=_import_gx)
    _pool.submit(int)  # the executor starts its process on the first task


def stop() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


def evaluate(comparisons: pd.DataFrame, docs_dir: Path | None = None,
             documents: pd.DataFrame | None = None) -> pd.DataFrame:
    """``expectations.suite.evaluate`` in the worker if one was started, else here."""
    if _pool is not None and not comparisons.empty:
        try:
            return _pool.submit(_evaluate, comparisons, docs_dir, documents).result()
        except BrokenProcessPool:  # the worker died (killed, out of memory): GX runs here instead
            stop()
    return _evaluate(comparisons, docs_dir, documents)
