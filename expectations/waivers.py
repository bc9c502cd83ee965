"""Reviewed waivers (waivers.yml): accept a known source erratum without hiding it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

DEFAULT_WAIVERS = Path(__file__).with_name("waivers.yml")
REQUIRED = ("document", "rule", "reason", "approved_by", "approved_on")


@dataclass(frozen=True)
class Waiver:
    document: str
    rule: str
    reason: str
    approved_by: str
    approved_on: str
    table: str | None = None
    row_code: str | None = None
    column: str | None = None


def load_waivers(path: Path | None = None) -> list[Waiver]:
    path = path or DEFAULT_WAIVERS
    if not path.exists():
        return []
    entries = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("waivers") or []
    waivers = []
    for index, entry in enumerate(entries):
        missing = [key for key in REQUIRED if not entry.get(key)]
        if missing:
            raise ValueError(f"{path}: waiver #{index + 1} lacks {', '.join(missing)}")
        waivers.append(Waiver(**{k: (str(v) if v is not None else None) for k, v in entry.items()}))
    return waivers


def waivers_frame(waivers: list[Waiver]) -> pd.DataFrame:
    """The waivers as a relation ``WAIVER_REASON`` reads: in file order, each with the reason a finding it
    waives shows (reason, who approved it and when)."""
    return pd.DataFrame({
        "position": list(range(len(waivers))),
        "document": [w.document for w in waivers],
        "rule_id": [w.rule for w in waivers],
        "table_code": [w.table or "" for w in waivers],
        "row_code": [w.row_code or "" for w in waivers],
        "column_path": [w.column or "" for w in waivers],
        "reason": [f"{w.reason} ({w.approved_by}, {w.approved_on})" for w in waivers],
    }, dtype=object).astype({"position": "int64"})


# The reason of the first waiver (in file order) matching finding ``f``, else NULL; ``{waivers}`` names the
# relation of ``waivers_frame``. A waiver matches when its document id (≥ 12 characters) begins the finding's
# and its rule is the finding's; a table, a row (code or label) and a column, where given, must match too.
# SQL both DuckDB and PostgreSQL read: the whole ledger is waived in the database, not in pandas.
WAIVER_REASON = """(
    select w.reason from {waivers} as w
    where length(w.document) >= 12 and left(f.document_id, length(w.document)) = w.document
      and w.rule_id = f.rule_id
      and (w.table_code = '' or w.table_code = f.table_code)
      and (w.row_code = '' or w.row_code = f.row_code or w.row_code = f.row_label)
      and (w.column_path = '' or w.column_path = f.column_path)
    order by w.position
    limit 1
)"""
