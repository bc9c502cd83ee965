"""Immutable, content-addressed copies of every file that reached the inbox.

A file is stored once under its sha256, read-only; the same bytes under another name are the
same document. Nothing in the store is ever rewritten or deleted by the pipeline.
"""

from __future__ import annotations

import os
from pathlib import Path

from ingest.reader import ReportFile


class RawFileStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._unsynced = False

    def path_for(self, content_hash: str, suffix: str) -> Path:
        return self.root / content_hash[:2] / f"{content_hash}{suffix.lower()}"

    def keep(self, report: ReportFile) -> Path:
        """Copy the file into the store (atomically, once) and return the stored path.

        Not yet durable: call ``flush`` before recording that the store holds it (one sync for a whole
        inbox instead of one fsync per file, which was most of registering 10,000 reports)."""
        target = self.path_for(report.content_hash, report.path.suffix)
        if target.exists():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + f".partial-{os.getpid()}")
        with open(partial, "wb") as out:
            out.write(report.data)
        os.chmod(partial, 0o444)
        os.replace(partial, target)
        self._unsynced = True
        return target

    def flush(self) -> None:
        """Make every file kept so far durable (contents and directory entries)."""
        if self._unsynced:
            os.sync()
            self._unsynced = False

