"""Read an inbox file into text, or say exactly why it cannot be read."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ReportFile:
    path: Path
    content_hash: str  # sha256 of the bytes
    size: int
    data: bytes

    @property
    def file_name(self) -> str:
        return self.path.name


# control characters other than tab, line feed, form feed and carriage return
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


class UnreadableReport(Exception):
    """The whole file cannot be read as a report; the message says why."""


def load_report_file(path: Path) -> ReportFile:
    return report_from_bytes(path, path.read_bytes())


def report_from_bytes(path: Path, data: bytes) -> ReportFile:
    """A report held in memory (generated, or converted to another format) as if read from ``path``."""
    return ReportFile(path=path, content_hash=hashlib.sha256(data).hexdigest(), size=len(data), data=data)


def decode_text(report: ReportFile) -> str:
    """UTF-8 (with or without BOM), else GB18030; refuse empty and binary files."""
    data = report.data
    if not data.strip():
        raise UnreadableReport(f"{report.file_name}: empty file ({report.size} bytes), expected report text")
    if b"\x00" in data[:8192]:
        offset = data.index(b"\x00")
        raise UnreadableReport(
            f"{report.file_name}: binary content (NUL byte at offset {offset}), expected UTF-8 text"
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError as exc:
            error = exc
    else:
        raise UnreadableReport(
            f"{report.file_name}: not text in UTF-8 or GB18030 (byte {error.start}: {error.reason})"
        )
    control = len(_CONTROL.findall(text))
    if control > max(8, len(text) // 100):
        raise UnreadableReport(f"{report.file_name}: {control} control characters, looks binary, expected text")
    return text.replace("\r\n", "\n").replace("\r", "\n")
