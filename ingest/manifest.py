"""The optional sidecar manifest a scraper can write beside the reports it downloads.

``manifest.csv`` (any folder of the inbox; UTF-8 or GB18030) has a header row and one row per report file:

    file,unit,year,kind,source_url
    江苏省政协办公厅2019年预算公开表.pdf,江苏省政协办公厅,2019,budget,https://…

``file`` is the report's path relative to the manifest's folder (a bare name also finds the file in a
subfolder when only one file has that name). ``unit``, ``year`` and ``kind`` (budget | final_accounts |
performance, or 预算 / 决算 / 绩效) override what was read from the document; an empty cell overrides nothing.
``source_url`` is kept as the document's provenance. Chinese headers (文件, 单位, 年度, 类型, 来源) are read too.

The manifest is not a report: it is never parsed or quarantined as one. Its rows are recorded in the raw
layer (``manifest_entries``) with what could not be used (an unknown kind, a year that is not one, a file
the inbox does not hold) and the document each row was applied to.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import datetime
from pathlib import Path

MANIFEST_NAME = "manifest.csv"
_HEADERS = {
    "file": "file", "file_name": "file", "filename": "file", "文件": "file", "文件名": "file",
    "unit": "unit", "unit_name": "unit", "单位": "unit", "单位名称": "unit", "部门": "unit",
    "year": "year", "fiscal_year": "year", "年度": "year", "年份": "year",
    "kind": "kind", "report_kind": "kind", "类型": "kind", "报告类型": "kind",
    "source_url": "source_url", "url": "source_url", "来源": "source_url", "链接": "source_url",
}
_KINDS = {"budget": "budget", "final_accounts": "final_accounts", "performance": "performance",
          "预算": "budget", "部门预算": "budget", "单位预算": "budget",
          "决算": "final_accounts", "部门决算": "final_accounts", "单位决算": "final_accounts",
          "绩效": "performance", "绩效自评": "performance", "绩效评价": "performance"}
ENTRY_COLUMNS = ["manifest_path", "manifest_hash", "line_no", "file", "target_path", "unit_name", "fiscal_year",
                 "report_kind", "source_url", "problem", "read_at"]


def is_manifest(path: Path) -> bool:
    return path.name.lower() == MANIFEST_NAME


def read_manifest(path: Path, read_at: datetime) -> list[dict]:
    """One row per manifest line (``ENTRY_COLUMNS``); a line that cannot be used says why in ``problem``."""
    data = path.read_bytes()
    manifest_hash = hashlib.sha256(data).hexdigest()
    base = {"manifest_path": str(path.resolve()), "manifest_hash": manifest_hash, "read_at": read_at}
    text = _decode(data)
    if text is None:
        return [{**_empty(base, 1), "problem": "not text in UTF-8 or GB18030: expected a CSV manifest"}]
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        return [{**_empty(base, 1), "problem": "empty manifest: expected a header row file,unit,year,kind,source_url"}]
    columns = [_HEADERS.get(name.strip().lower()) for name in header]
    if "file" not in columns:
        return [{**_empty(base, 1), "problem": f"no file column in the header {header!r}: expected "
                                               "file,unit,year,kind,source_url"}]
    entries = []
    for line_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {column: cell.strip() for column, cell in zip(columns, row, strict=False) if column}
        entries.append(_entry(base, line_no, values, path.parent))
    return entries


def _entry(base: dict, line_no: int, values: dict, folder: Path) -> dict:
    problems = []
    file = values.get("file", "")
    if not file:
        problems.append("no file named")
    year = None
    if values.get("year"):
        match = re.fullmatch(r"((?:19|20)\d{2})\s*年?度?", values["year"])
        if match:
            year = int(match.group(1))
        else:
            problems.append(f"year {values['year']!r} is not a four-digit year")
    kind = None
    if values.get("kind"):
        kind = _KINDS.get(values["kind"].strip().lower())
        if kind is None:
            problems.append(f"kind {values['kind']!r} is not budget, final_accounts or performance")
    return {**base, "line_no": line_no, "file": file,
            "target_path": str((folder / file).resolve()) if file else None,
            "unit_name": values.get("unit") or None, "fiscal_year": year, "report_kind": kind,
            "source_url": values.get("source_url") or None, "problem": "; ".join(problems) or None}


def _empty(base: dict, line_no: int) -> dict:
    return {**base, "line_no": line_no, "file": "", "target_path": None, "unit_name": None, "fiscal_year": None,
            "report_kind": None, "source_url": None, "problem": None}


def _decode(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None
