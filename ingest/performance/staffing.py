"""Staffing figures stated in a 部门整体绩效自评报告, as claims the suite recomputes and re-scores.

Reports state their headcounts and the two control rates the common indicator framework scores, e.g.
“核定编制人数 20 人, 实际在编人员数 18 人; 使用劳务派遣人员人数(含直接聘用的编外人员) 1 人。当年度财政供养
人员控制率为 90%, 编外人员控制率为 5.26%”. Each rate becomes one claim (kind ``staffing_rate``) with
its operands where printed:

- 财政供养人员控制率 = 在编人数 / 核定编制数 × 100
- 编外人员控制率 = 编外人数 / (在编人数 + 编外人数) × 100

The suite recomputes a stated rate from its operands (narrative_staffing_rate) and re-scores the
indicator of the same name from its printed 评分标准 (indicator_rescored).
"""

from __future__ import annotations

import re

from ingest.amounts import normalise_cell

_AUTHORISED = re.compile(r"(?:核定编制人数|编制人数|核定编制数|编制核定人数|核定人数)[^0-9%]{0,16}?(\d+)人")
_ON_STAFF = re.compile(r"(?:实际在编人员数|实有在编人数|实际在编人数|在编人员数|在编人数)[^0-9%]{0,10}?(\d+)人")
_OFF_STAFF = re.compile(r"(?:劳务派遣人员人数|劳务派遣人员|编外人员人数|雇员)[^0-9%]{0,24}?(\d+)人")
_RATES = {"财政供养人员控制率": re.compile(r"财政供养人员控制率为?(\d+(?:\.\d+)?)%"),
          "编外人员控制率": re.compile(r"编外人员控制率为?(\d+(?:\.\d+)?)%")}


def staffing_claims(lines: list[str], table_lines: set[int]) -> list[dict]:
    """One claim per control rate stated (or computable) in a paragraph of the narrative."""
    claims = []
    for line_no, raw in enumerate(lines, start=1):
        if line_no in table_lines or "\t" in raw:
            continue
        text = normalise_cell(raw)
        if "人" not in text and "控制率" not in text:  # every pattern needs one of them
            continue
        authorised = _first(_AUTHORISED, text)
        on_staff = _first(_ON_STAFF, text)
        off_staff = sum(int(m.group(1)) for m in _OFF_STAFF.finditer(text)) if _OFF_STAFF.search(text) else None
        stated = {name: float(m.group(1)) for name, pattern in _RATES.items() if (m := pattern.search(text))}
        operands = {
            "财政供养人员控制率": (on_staff, authorised),
            "编外人员控制率": (off_staff, on_staff + off_staff if on_staff is not None and off_staff is not None
                              else None),
        }
        for name, (numerator, denominator) in operands.items():
            if name not in stated and (numerator is None or not denominator):
                continue
            claims.append({
                "line_no": line_no, "section_table": "PERF_DEPT", "claim_kind": "staffing_rate",
                "target_table": None, "target_side": None, "target_row": name, "target_column": "%",
                "stated": stated.get(name), "numerator": numerator, "denominator": denominator,
                "change": None, "direction": None, "prior": None, "text": raw.strip()[:500],
            })
    return claims


def _first(pattern: re.Pattern, text: str) -> int | None:
    match = pattern.search(text)
    return int(match.group(1)) if match else None
