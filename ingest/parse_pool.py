"""Each inbox file parsed in a worker process with a time and a memory limit.

A reader meeting a file nobody has seen may loop, grow without end or crash the interpreter; none of
that may stop the refresh. Every file is parsed in a pebble ``ProcessPool`` worker:

* **time**: a file not parsed within ``FISCAL_PARSE_TIMEOUT`` seconds (default 300) has its worker killed
  (pebble replaces it; the other files go on) and is quarantined "exceeds limits (time …)";
* **memory**: each worker's address space may grow by ``FISCAL_PARSE_MEMORY_MB`` (default 4096: two
  workers of a 2-core, 24 GB machine stay under 10 GB) above what it holds when it starts
  (``RLIMIT_AS``); an allocation past it raises MemoryError in the reader (or kills the worker): the file
  is parsed once more in a fresh worker of its own (the first may have grown on earlier files), then
  quarantined "exceeds limits (memory …)";
* **crash**: a worker dying on a file (SIGKILL, a segfault) quarantines that file alone.

Results come back in the order of the jobs, so batches load as before. The limits are read when a pool
starts (``ParseLimits.from_env``), so a test or a maintainer sets them per refresh.
"""

from __future__ import annotations

import os
import resource
from collections import deque
from collections.abc import Iterator
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, replace
from pathlib import Path

from pebble import ProcessExpired, ProcessPool

from ingest.parse_report import ParseOutcome, document_row, parse_report_file
from ingest.reader import ReportFile, load_report_file

DEFAULT_TIMEOUT_S = 300.0
DEFAULT_MEMORY_MB = 4096
# a worker is replaced after this many files, so memory a reader leaves behind does not add up (each new
# worker starts with cold caches: at 50, parsing 600 reports took 1.6x as long)
TASKS_PER_WORKER = 500
WINDOW_PER_WORKER = 4  # jobs scheduled ahead per worker, beyond what the caller says it holds back


@dataclass(frozen=True, slots=True)
class ParseLimits:
    timeout_s: float = DEFAULT_TIMEOUT_S
    memory_mb: int = DEFAULT_MEMORY_MB

    @classmethod
    def from_env(cls) -> ParseLimits:
        return cls(timeout_s=_positive(os.environ.get("FISCAL_PARSE_TIMEOUT"), DEFAULT_TIMEOUT_S, float),
                   memory_mb=_positive(os.environ.get("FISCAL_PARSE_MEMORY_MB"), DEFAULT_MEMORY_MB, int))

    @property
    def signature(self) -> str:
        """Ends the reason of a file stopped by a limit: under other limits it is read again
        (``ingest.inbox.pending_documents``)."""
        return f"[limits: {self.timeout_s:g} s, {self.memory_mb} MB]"

    def time_reason(self, file_name: str) -> str:
        return (f"{file_name}: exceeds limits (time: not parsed within {self.timeout_s:g} s, FISCAL_PARSE_TIMEOUT); "
                f"its worker was stopped, nothing was read {self.signature}")

    def memory_reason(self, file_name: str) -> str:
        return (f"{file_name}: exceeds limits (memory: the reader needed more than {self.memory_mb} MB, "
                f"FISCAL_PARSE_MEMORY_MB); nothing was read {self.signature}")


def _positive(text: str | None, default, kind):
    try:
        value = kind(text) if text else default
    except ValueError:
        return default
    return value if value > 0 else default


def parse_job(job: tuple[Path, str]) -> ParseOutcome:
    """Parse one stored file under its inbox name (provenance: the name it arrived with)."""
    stored, file_name = job
    report = replace(load_report_file(stored), path=stored.with_name(file_name))
    return parse_report_file(report, stored_path=stored)


def _limit_memory(memory_mb: int) -> None:
    """Worker initializer: the address space may grow by ``memory_mb`` above what the worker holds now."""
    try:
        with open("/proc/self/statm") as statm:
            baseline = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # not Linux: no baseline to add to, the budget alone
        baseline = 0
    limit = baseline + memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def quarantined_job(job: tuple[Path, str], reason: str) -> ParseOutcome:
    """The document row of a file whose parse did not come back, with why."""
    stored, file_name = job
    try:
        report = replace(load_report_file(stored), path=stored.with_name(file_name))
    except OSError as exc:  # the stored copy cannot be read (its name is its content hash)
        report = ReportFile(path=stored.with_name(file_name), content_hash=stored.stem, size=0, data=b"")
        reason = f"{reason}; the stored copy cannot be read ({type(exc).__name__}: {exc})"
    return ParseOutcome(document=document_row(report, stored, reason))


def bounded_outcomes(jobs: list[tuple[Path, str]], workers: int, limits: ParseLimits | None = None,
                     ahead_of_use: int = 0) -> Iterator[ParseOutcome]:
    """The parse of every job, in order, each in a worker under ``limits``.

    ``ahead_of_use``: how many outcomes the caller keeps before it does something slow with them (loading a
    batch), so the workers have that many more jobs scheduled and go on parsing meanwhile. With a few jobs
    ahead only, both workers stood idle through every batch load: the parse step of 10,000 real-size reports
    took 160 s where its CPU time on two cores would fit in ~105 s."""
    if not jobs:
        return
    limits = limits or ParseLimits.from_env()
    with ProcessPool(max_workers=max(1, min(workers, len(jobs))), max_tasks=TASKS_PER_WORKER,
                     initializer=_limit_memory, initargs=(limits.memory_mb,)) as pool:
        # a window of scheduled jobs, so parsed outcomes do not pile up in memory: the caller holds at most
        # ``ahead_of_use`` of them, and at most that many more plus a few per worker wait here
        ahead: deque = deque()
        pending = iter(jobs)
        try:
            for job in pending:
                ahead.append((job, pool.schedule(parse_job, args=(job,), timeout=limits.timeout_s)))
                if len(ahead) >= WINDOW_PER_WORKER * workers + ahead_of_use:
                    break
            while ahead:
                job, future = ahead.popleft()
                yield _result(job, future, limits)
                following = next(pending, None)
                if following is not None:
                    ahead.append((following, pool.schedule(parse_job, args=(following,), timeout=limits.timeout_s)))
        except BaseException:  # the caller stopped (an error loading a batch, an interrupt): the jobs scheduled
            for _, future in ahead:  # ahead are cancelled, so closing the pool does not wait for their parse
                future.cancel()
            raise


def _alone(job: tuple[Path, str], limits: ParseLimits):
    """The job's future in a pool of one fresh worker (its memory limit counted from a clean start)."""
    with ProcessPool(max_workers=1, initializer=_limit_memory, initargs=(limits.memory_mb,)) as pool:
        future = pool.schedule(parse_job, args=(job,), timeout=limits.timeout_s)
        try:
            future.result()
        except BaseException:  # read again by _result, which says what happened
            pass
        return future


def _result(job: tuple[Path, str], future, limits: ParseLimits, retry: bool = True) -> ParseOutcome:
    file_name = job[1]
    try:
        return future.result()
    except FutureTimeout:
        return quarantined_job(job, limits.time_reason(file_name))
    except MemoryError:
        if retry:  # the worker may have grown on the files before: once more in a fresh worker of its own
            return _result(job, _alone(job, limits), limits, retry=False)
        return quarantined_job(job, limits.memory_reason(file_name))
    except ProcessExpired as exc:
        reason = (f"{file_name}: the process reading it died (exit code {exc.exitcode}: the reader crashed the "
                  f"interpreter or ran out of memory, limit {limits.memory_mb} MB); expected a parse, nothing was read "
                  f"{limits.signature}")
        return quarantined_job(job, reason)
    except Exception as exc:  # the worker could not run the job at all (the stored file vanished …)
        return quarantined_job(job, f"{file_name}: the parse worker failed ({type(exc).__name__}: {exc}); "
                                    "nothing was read")
