"""Fault injection for the crash-safety and isolation tests.

``FISCAL_CRASH_AT=<point>`` makes the process kill itself with SIGKILL when it reaches that point, as a
power cut or an OOM kill would. Points: parse.in_transaction, parse.after_commit, publish.mid_copy,
publish.before_swap, publish.after_swap.

``FISCAL_FAULTS=<point>:<file name>[,<point>:<file name> …]`` makes one document misbehave at a point, as
a reader bug meeting a layout nobody has seen would, so the tests can show that it quarantines only itself:

    parse.raise      the parser raises while reading that file (after it was rendered)
    parse.crash      the process parsing that file dies (SIGKILL), as a reader crashing the interpreter would
    parse.hang       the reader never finishes that file (it sleeps), as a reader looping on it would
    parse.balloon    the reader allocates memory without end on that file, as openpyxl on a stray far cell did
    keys.unchecked   its cells reach the raw layer without the per-document key check (ingest/document_keys),
                     so a colliding key reaches dbt's tests, which must then hold back that document alone
    audit.raise      a rule raises while auditing that document
    audit.duplicate_ids  that document's findings share one id, as two issues on one row once did, so a
                     key test of the marts fails on its rows

Unset (the normal case) each costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal
import time


def crash_point(point: str) -> None:
    if os.environ.get("FISCAL_CRASH_AT") == point:
        os.kill(os.getpid(), signal.SIGKILL)


class InjectedFault(RuntimeError):
    """Raised where FISCAL_FAULTS asks for a failure."""


def fault_injected(point: str, file_name: str) -> bool:
    """Whether FISCAL_FAULTS injects ``point`` for the document read from ``file_name``."""
    spec = os.environ.get("FISCAL_FAULTS")
    if not spec:
        return False
    return any(entry.strip() == f"{point}:{file_name}" for entry in spec.split(","))


def injected_files(point: str) -> set[str]:
    """The file names FISCAL_FAULTS injects ``point`` for."""
    spec = os.environ.get("FISCAL_FAULTS") or ""
    return {entry.strip().split(":", 1)[1] for entry in spec.split(",") if entry.strip().startswith(f"{point}:")}


def raise_if_injected(point: str, file_name: str) -> None:
    if fault_injected(point, file_name):
        raise InjectedFault(f"fault injected at {point} for {file_name} (FISCAL_FAULTS)")


def crash_if_injected(point: str, file_name: str) -> None:
    if fault_injected(point, file_name):
        os.kill(os.getpid(), signal.SIGKILL)


def exhaust_if_injected(file_name: str) -> None:
    """parse.hang: never return; parse.balloon: allocate 64 MB blocks until the memory limit stops it."""
    if fault_injected("parse.hang", file_name):
        while True:
            time.sleep(1)
    if fault_injected("parse.balloon", file_name):
        blocks = []
        while True:
            blocks.append(bytearray(64 * 1024 * 1024))
