"""Walk the inbox and account for every entry it holds: read, a manifest, a directory, or skipped and why.

Rules (docs/OPERATIONS.md, "What the inbox scan reads"):

* regular files are read (a symlink to a regular file is read through the link);
* directories are descended, symlinked directories too, each real directory once: a link leading back
  to a directory being walked is a loop, a second way into a directory already walked is skipped;
* skipped, with the reason: hidden entries (a name starting with ``.``; a hidden directory is not
  entered), FIFOs, sockets and devices (never opened: opening a FIFO blocks), dangling symlinks,
  symlink loops, entries that vanish or cannot be read while the inbox is scanned;
* a name that is not UTF-8 is kept (``ingest.names``): printable with ``\\xNN`` escapes, and filed
  under its GB18030 reading when it has one.

The scan never raises for one entry: whatever happens to an entry is recorded on it.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.manifest import MANIFEST_NAME
from ingest.names import printable, readable_name

KINDS = {stat.S_IFIFO: "fifo", stat.S_IFSOCK: "socket", stat.S_IFCHR: "character device",
         stat.S_IFBLK: "block device"}


@dataclass(frozen=True)
class InboxEntry:
    path: Path                 # as reached under the inbox (may hold surrogate-escaped bytes)
    entry_path: str            # printable path relative to the inbox
    kind: str                  # file | directory | symlink | fifo | socket | character device | …
    action: str                # read | manifest | directory | skipped
    reason: str | None = None  # why skipped, how a symlink was followed, how an odd name was read
    size_bytes: int | None = None
    mtime_ns: int | None = None
    file_name: str | None = None  # the name a read file's document is filed under
    resolved: str | None = None   # a read file's (or followed directory's) real path, printable

    def skipped(self, reason: str) -> InboxEntry:
        return InboxEntry(self.path, self.entry_path, self.kind, "skipped", reason)


def scan_inbox(inbox: Path) -> list[InboxEntry]:
    """Every entry under ``inbox`` (or ``inbox`` itself when it is a file), in a stable order."""
    if not inbox.is_dir():
        return [_single_file(inbox)]
    root = os.path.realpath(inbox)
    return list(_walk(inbox, root, "", frozenset({root}), {root: ".", **_real_directories(inbox)}))


def _real_directories(inbox: Path) -> dict[str, str]:
    """Real path -> place in the inbox of every directory that is no link: a link to one of them is a
    second way into it (skipped), never a reason to skip the directory itself."""
    found = {}
    for top, dirs, _files in os.walk(inbox, followlinks=False):
        dirs[:] = [name for name in dirs if not name.startswith(".") and not os.path.islink(os.path.join(top, name))]
        for name in dirs:
            path = os.path.join(top, name)
            found[os.path.realpath(path)] = printable(os.path.relpath(path, inbox))
    return found


def _walk(directory: Path, real_dir: str, relative: str, ancestors: frozenset[str],
          walked: dict[str, str]) -> Iterator[InboxEntry]:
    try:
        with os.scandir(directory) as listing:
            items = sorted(listing, key=lambda item: item.name)
    except OSError as exc:  # vanished or unreadable since it was seen: say so on the directory itself
        yield InboxEntry(directory, printable(relative or "."), "directory", "skipped", _os_reason(exc, "its entries"))
        return
    for item in items:
        rel = f"{relative}/{item.name}" if relative else item.name
        entry = _entry(item, directory / item.name, rel, real_dir, ancestors, walked)
        yield entry
        if entry.action == "directory":
            real = entry.resolved or os.path.join(real_dir, item.name)
            walked[real] = entry.entry_path
            yield from _walk(entry.path, real, rel, ancestors | {real}, walked)


def _entry(item: os.DirEntry, path: Path, rel: str, real_dir: str, ancestors: frozenset[str],
           walked: dict[str, str]) -> InboxEntry:
    shown = printable(rel)
    try:
        link = item.is_symlink()
    except OSError as exc:
        return InboxEntry(path, shown, "unknown", "skipped", _os_reason(exc, "it"))
    entry = InboxEntry(path, shown, "symlink" if link else "file", "read")
    if item.name.startswith("."):
        try:
            is_dir = item.is_dir()
        except OSError:
            is_dir = False
        what = ("hidden directory: neither it nor anything in it is read" if is_dir
                else "hidden file (name starts with '.')")
        return InboxEntry(path, shown, "directory" if is_dir and not link else entry.kind, "skipped", what)
    try:
        info = item.stat()  # follows a symlink
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return entry.skipped(f"symlink loop ({_target(path)})")
        if link and exc.errno == errno.ENOENT and path.is_symlink():
            return entry.skipped(f"dangling symlink: its target {_target(path)} does not exist")
        return entry.skipped(_os_reason(exc, "it"))
    followed = f"symlink to {_target(path)}" if link else None
    real = os.path.realpath(path) if link else os.path.join(real_dir, item.name)
    if stat.S_ISDIR(info.st_mode):
        if not link:
            return InboxEntry(path, shown, "directory", "directory", resolved=real)
        if real in ancestors or any(a.startswith(real.rstrip(os.sep) + os.sep) for a in ancestors):
            return InboxEntry(path, shown, entry.kind, "skipped",
                              f"symlink loop: leads back to {walked.get(real, printable(real))}, "
                              "which holds the directory being read")
        if real in walked:
            return InboxEntry(path, shown, entry.kind, "skipped",
                              f"the same directory as {walked[real]}, read there")
        return InboxEntry(path, shown, "symlink", "directory", followed, resolved=real)
    if not stat.S_ISREG(info.st_mode):
        kind = KINDS.get(stat.S_IFMT(info.st_mode), "special file")
        return InboxEntry(path, shown, kind if not link else "symlink", "skipped",
                          f"not a regular file ({kind}){'; ' + followed if followed else ''}: never opened")
    file_name, note = readable_name(item.name)
    reason = "; ".join(part for part in (followed, note) if part) or None
    return InboxEntry(path, shown, entry.kind, "manifest" if file_name.lower() == MANIFEST_NAME else "read", reason,
                      info.st_size, info.st_mtime_ns, file_name, printable(real))


def _single_file(path: Path) -> InboxEntry:
    """An inbox that is one file."""
    try:
        info = os.stat(path)
    except OSError as exc:
        return InboxEntry(path, printable(path.name), "file", "skipped", _os_reason(exc, "it"))
    if not stat.S_ISREG(info.st_mode):
        kind = KINDS.get(stat.S_IFMT(info.st_mode), "special file")
        return InboxEntry(path, printable(path.name), kind, "skipped", f"not a regular file ({kind}): never opened")
    file_name, note = readable_name(path.name)
    return InboxEntry(path, printable(path.name), "file", "read", note, info.st_size, info.st_mtime_ns, file_name,
                      printable(os.path.realpath(path)))


def _target(path: Path) -> str:
    try:
        return printable(os.readlink(path))
    except OSError:
        return "?"


def _os_reason(exc: OSError, what: str) -> str:
    if isinstance(exc, FileNotFoundError):
        return "vanished while the inbox was scanned"
    if isinstance(exc, PermissionError):
        return f"permission denied: {what} cannot be read"
    return f"could not be read ({errno.errorcode.get(exc.errno or 0, type(exc).__name__)}: {exc.strerror or exc})"


def vanished(entry: InboxEntry, exc: OSError) -> InboxEntry:
    """The entry, skipped because reading it failed after the scan saw it."""
    return entry.skipped(_os_reason(exc, "it"))
