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

    def matches(self, finding) -> bool:
        if len(self.document) < 12 or not str(finding.document_id).startswith(self.document):
            return False
        if self.rule != finding.rule_id:
            return False
        if self.table and self.table != finding.table_code:
            return False
        if self.row_code and self.row_code not in (finding.row_code, finding.row_label):
            return False
        return not self.column or self.column == finding.column_path


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


def apply_waivers(findings: pd.DataFrame, waivers: list[Waiver]) -> pd.DataFrame:
    """``waived`` and ``waiver_reason`` for every finding. Runs on the whole audit ledger each refresh, so
    without waivers it makes no pass over the rows."""
    findings = findings.copy()
    if not waivers:
        return findings.assign(waived=False, waiver_reason=None)
    reasons = []
    for row in findings.itertuples():
        match = next((w for w in waivers if w.matches(row)), None)
        reasons.append(f"{match.reason} ({match.approved_by}, {match.approved_on})" if match else None)
    findings["waived"] = [r is not None for r in reasons]
    findings["waiver_reason"] = reasons
    return findings
