"""Values a document prints that the raw layer's typed columns cannot hold become reader issues.

The raw layer stores amounts in 万元 as DECIMAL(20, 6) (14 integer digits) and row numbers, column numbers,
lines and pages as INTEGER (32 bits). A cell printing 1234567890123456 元 or a 行次 of 9999999999 is a
misread or a broken source, never a figure to publish; loading it would make the whole batch fail. So
before the load, each such cell (or narrative figure) is taken out of the parse with a parse issue on its
line that says which value was out of range (origin ``reader``): the rest of the document goes on.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ingest.parse_report import ParseOutcome

INT32_MAX = 2**31 - 1
_INT_LOW = -INT32_MAX
DECIMAL_INTEGER_DIGITS = 14  # DECIMAL(20, 6)
DECIMAL_LIMIT = 10.0**DECIMAL_INTEGER_DIGITS
CELL_INTEGERS = ("row_number", "column_number", "line_no", "page_no", "position")
FIGURE_INTEGERS = ("figure_no", "line_no", "page_no", "reference_year")


def out_of_range(row: dict, integers: tuple[str, ...], floats: tuple[str, ...] = ("amount",)) -> str | None:
    """Why the row's values do not fit the raw layer's columns, or None when they do."""
    get = row.get  # (called once per cell and figure)
    for name in integers:
        value = get(name)
        if value is not None and not _INT_LOW <= value <= INT32_MAX:
            return f"{name} {value} is beyond the 32-bit integer range"
    for name in floats:
        value = get(name)
        if value is not None and not math.isfinite(value):
            return f"{name} {value} is not a finite number"
    wan = get("amount_wan")
    if wan is not None and (not math.isfinite(wan) or abs(wan) >= DECIMAL_LIMIT):
        return (f"amount {row.get('value_text') or row.get('printed_text') or wan} is {abs(wan):.0f} 万元, more than "
                f"{DECIMAL_INTEGER_DIGITS} integer digits: not a figure a report prints")
    return None


def check_value_bounds(outcome: ParseOutcome) -> None:
    """Take every cell and narrative figure the raw layer could not hold out of the parse, each with an issue."""
    kept = []
    for cell in outcome.cells:
        problem = out_of_range(cell, CELL_INTEGERS)
        if problem is None:
            kept.append(cell)
            continue
        outcome.issues.append(_issue(outcome, cell, cell.get("table_code"),
                                     f"cell '{cell.get('row_label')}' / '{cell.get('column_path')}': {problem}; "
                                     "not published (a value out of range is a misread, not a figure)",
                                     cell.get("value_text") or ""))
    if len(kept) != len(outcome.cells):
        outcome.cells = kept
        for table in outcome.tables:
            table["n_cells"] = sum(1 for c in kept if c["table_code"] == table["table_code"])
            table["n_issues"] = sum(1 for i in outcome.issues if i.get("table_code") == table["table_code"])
        if outcome.document.get("status") == "parsed":
            outcome.document["n_cells"] = len(kept)
    figures = []
    for figure in outcome.figures:
        problem = out_of_range(figure, FIGURE_INTEGERS, ("value",))
        if problem is None:
            figures.append(figure)
        else:
            outcome.issues.append(_issue(outcome, figure, None, f"narrative figure '{figure.get('subject')}': "
                                         f"{problem}; not published", figure.get("printed_text") or ""))
    outcome.figures = figures
    for issue in outcome.issues:  # an issue's own line or page out of range is dropped, not the issue
        for name in ("line_no", "page_no"):
            if issue.get(name) is not None and not -INT32_MAX <= issue[name] <= INT32_MAX:
                issue[name] = None


def _issue(outcome: ParseOutcome, row: dict, table_code: str | None, message: str, text: str) -> dict:
    line_no = row.get("line_no")
    page_no = row.get("page_no")
    return {"content_hash": outcome.document["content_hash"], "file_name": outcome.document["file_name"],
            "table_code": table_code,
            "line_no": line_no if line_no is not None and abs(line_no) <= INT32_MAX else None,
            "page_no": page_no if page_no is not None and abs(page_no) <= INT32_MAX else None,
            "message": message, "line_text": text}
