"""Great Expectations imported ahead of the audit, in a process of its own.

Importing GX takes ~3 s of CPU (its data context, every expectation class, scipy), and the audit needs it
whenever one comparison differs, which on real reports is nearly every refresh: in one more report at 10,000
reports it was a tenth of the refresh. Imported on a thread beside dbt it held the GIL that dbt needed (tried
in the sixth session: slower). So ``start()``, called by ``fiscal refresh`` when its job's parse step has ended
(the job runs in that process; not when ``--force`` reruns unchanged inputs), spawns one worker process that
imports GX while dbt builds (a run the Dagster daemon launches runs each step in a process of its own: it has
no worker); ``evaluate()`` hands the audit's comparisons to that worker (what goes over is the differing
comparisons and their documents' names) and returns its findings. Without a started worker, or if the worker
died, GX runs in this process as before: the findings are the same either way (an error GX raises that does
not pickle comes back as ``WorkerError`` with its type and message).

The "spawn" start method also starts multiprocessing's resource tracker, a small process that holds the
refresh's stdout and stderr and ends once every process holding its pipe has ended (the refresh, the worker,
the parse workers the refresh forks).

``FISCAL_GX_WORKER=0`` turns the worker off (GX imported in the refresh's process when first needed).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import pickle
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pandas as pd

_pool: ProcessPoolExecutor | None = None
_LOCK = threading.Lock()  # the runner's thread starts the worker, the job's thread stops it
log = logging.getLogger(__name__)


def _prepare_worker(parent: int) -> None:
    """Tie the worker to the refresh: it dies with it (a refresh killed mid-run must not leave it behind: the
    signal comes when the thread that started the worker ends, which ``start()``'s callers outlive), and
    it lets go of the refresh's stdout and stderr, which whoever started the refresh may be reading to the end
    (its findings and errors come back through the executor, not through them). Then GX is imported."""
    with contextlib.suppress(OSError, AttributeError):  # Linux: prctl(PR_SET_PDEATHSIG, SIGKILL)
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    if os.getppid() != parent:  # the refresh died before the line above
        os._exit(0)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)

    import great_expectations  # noqa: F401

    import expectations.suite  # noqa: F401


class WorkerError(RuntimeError):
    """An error GX raised in the worker that cannot cross back to the refresh as itself (it does not pickle):
    its type and message, so the audit names the same cause."""


def _evaluate(comparisons: pd.DataFrame, docs_dir: Path | None, documents: pd.DataFrame | None) -> pd.DataFrame:
    from expectations.suite import evaluate as evaluate_here

    return evaluate_here(comparisons, docs_dir, documents)


def _evaluate_in_worker(comparisons: pd.DataFrame, docs_dir: Path | None,
                        documents: pd.DataFrame | None) -> pd.DataFrame:
    try:
        return _evaluate(comparisons, docs_dir, documents)
    except Exception as exc:
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:
            raise WorkerError(f"{type(exc).__name__}: {exc}") from None
        raise


def start() -> None:
    """Spawn the worker (once) and let it import GX now; if it cannot be started, GX runs in this process."""
    global _pool
    with _LOCK:
        if _pool is not None or os.environ.get("FISCAL_GX_WORKER", "1") == "0":
            return
        try:
            # a fresh interpreter ("spawn"): the refresh's process holds threads and open databases a fork would
            # copy
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_prepare_worker, initargs=(os.getpid(),))
            _pool.submit(int)  # the executor starts its process on the first task
            return
        except Exception as exc:  # no process, no semaphores (/dev/shm): the audit imports GX itself
            log.warning(f"Great Expectations worker not started ({type(exc).__name__}: {exc}); "
                        "GX runs in the refresh")
    stop()


def stop() -> None:
    """Tell the worker to end, without waiting for it: its exit (a spawned interpreter's teardown, with GX
    loaded: 0.4–0.5 s) overlaps the marts' build instead of holding up the audit. One still importing GX ends
    when its import does. The executor's thread joins it; `fiscal` runs the threads' exit steps before it
    ends (``orchestration.cli.main``), by which time the worker is long gone. (Killing it instead leaves its
    queue's semaphores to multiprocessing's resource tracker, which warns of them on the refresh's stderr.)"""
    global _pool
    with _LOCK:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def evaluate(comparisons: pd.DataFrame, docs_dir: Path | None = None,
             documents: pd.DataFrame | None = None) -> pd.DataFrame:
    """``expectations.suite.evaluate`` in the worker if one was started, else here."""
    pool = _pool
    if pool is not None and not comparisons.empty:
        if documents is not None:  # only the names of the documents compared go over
            documents = documents[documents["document_id"].isin(set(comparisons["document_id"]))]
        try:
            return pool.submit(_evaluate_in_worker, comparisons, docs_dir, documents).result()
        except BrokenProcessPool:  # the worker died (killed, out of memory), or its answer did not arrive
            log.warning("Great Expectations worker lost; GX runs in the refresh")
            stop()
    return _evaluate(comparisons, docs_dir, documents)
