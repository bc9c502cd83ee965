"""File names as text that can be stored and printed, whatever bytes the file system holds.

On Linux a file name is bytes; Python hands a name that is not UTF-8 over with lone surrogates
(``surrogateescape``), which DuckDB, JSON and a UTF-8 console cannot encode. Names unzipped from a
Windows archive are mostly GBK, so such a name is read as GB18030 when it decodes as that, and its
undecodable bytes are otherwise written as ``\\xNN`` escapes.
"""

from __future__ import annotations

import os


def printable(text: str) -> str:
    """``text`` with each path component that is not UTF-8 written in ASCII with ``\\xNN`` escapes
    (unchanged when it is valid UTF-8)."""
    if not _has_surrogates(text):
        return text
    return "/".join(_printable_part(part) for part in text.split("/"))


def _printable_part(part: str) -> str:
    """A path component: kept when it is UTF-8, else every non-ASCII byte escaped (bytes of another
    encoding that happen to form a UTF-8 character are not shown as that character)."""
    if not _has_surrogates(part):
        return part
    try:
        return os.fsencode(part).decode("ascii", "backslashreplace")
    except UnicodeError:  # a lone surrogate that stands for no byte
        return part.encode("utf-8", "backslashreplace").decode("utf-8")


def readable_name(text: str) -> tuple[str, str | None]:
    """The name to file a document under, and a note when it is not the name's UTF-8 reading:
    GB18030 when the bytes decode as that (GBK names from Windows archives), else escaped bytes."""
    if not _has_surrogates(text):
        return text, None
    try:
        raw = os.fsencode(text)
    except UnicodeError:
        return printable(text), "file name is not valid text; undecodable characters escaped"
    try:
        decoded = raw.decode("gb18030")
    except UnicodeDecodeError:
        return printable(text), "file name is not UTF-8 nor GB18030; its bytes are kept escaped as \\xNN"
    return decoded, f"file name is not UTF-8; read as GB18030 (bytes {printable(text)!r})"


def _has_surrogates(text: str) -> bool:
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
