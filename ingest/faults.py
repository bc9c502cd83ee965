"""Fault injection for the crash-safety tests: ``FISCAL_CRASH_AT=<point>`` makes the process kill
itself with SIGKILL when it reaches that point, as a power cut or an OOM kill would.

Points: parse.in_transaction, parse.after_commit, publish.mid_copy, publish.before_swap,
publish.after_swap. Unset (the normal case) this costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal


def crash_point(point: str) -> None:
    if os.environ.get("FISCAL_CRASH_AT") == point:
        os.kill(os.getpid(), signal.SIGKILL)
