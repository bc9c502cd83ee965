"""One writer per warehouse home: a refresh, a withdrawal or a rollback holds ``<home>/refresh.lock``.

The lock is a POSIX record lock (``fcntl.lockf``) on the file: it belongs to the process, is released by
the kernel when that process ends (a killed refresh leaves no stale lock) and, unlike ``flock``, is not
inherited by forked children (a parse worker orphaned by a killed refresh does not keep the home locked).
A holder must not open and close the file otherwise (that would release a POSIX lock). The file says who
holds it (pid, since when, what), so a second writer is
told "a refresh of this home is running since …, pid …" instead of failing on a DuckDB lock or
interleaving with the first. The lock is re-entrant within a process: ``fiscal refresh`` holds it for the
whole run and the job's steps, run in the same process, find it held.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

LOCK_NAME = "refresh.lock"
_held: dict[str, int] = {}  # lock path -> depth, for this process
_guard = threading.Lock()


class HomeBusy(RuntimeError):
    """Another process holds the home's lock."""

    def __init__(self, home: Path, holder: dict) -> None:
        self.holder = holder
        what = holder.get("what") or "a refresh"
        since = holder.get("since", "an unknown time")
        super().__init__(f"{what} of this home ({home}) is running since {since}, pid {holder.get('pid', '?')}; "
                         "try again when it has finished")


def lock_path(home: Path) -> Path:
    return home / LOCK_NAME


def holder(home: Path) -> dict:
    """Who holds (or last held) the lock, as written in the lock file."""
    try:
        return json.loads(lock_path(home).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}


@contextmanager
def home_lock(home: Path, what: str = "a refresh") -> Iterator[None]:
    """Hold the home's lock, or raise ``HomeBusy`` at once when another process holds it."""
    path = lock_path(home)
    key = str(path.resolve())
    with _guard:
        if _held.get(key):
            _held[key] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _guard:
                _held[key] -= 1
        return
    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EAGAIN):
                raise
            raise HomeBusy(home, holder(home)) from None
        record = json.dumps({"pid": os.getpid(), "since": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
                             "what": what})
        os.ftruncate(fd, 0)
        os.pwrite(fd, record.encode(), 0)
        with _guard:
            _held[key] = 1
        try:
            yield
        finally:
            with _guard:
                _held.pop(key, None)
            fcntl.lockf(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
