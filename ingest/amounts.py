"""Printed amounts: '10,152.21', '-3.00', '（12.5）', '' and the dashes used for 'nothing'."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_AMOUNT = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
_BLANK_MARKS = {"", "-", "—", "--", "——", "/", "－"}

UNIT_SCALE_TO_WAN = {"万元": 1.0, "元": 0.0001, "千元": 0.1, "亿元": 10000.0}


_WHITESPACE = re.compile(r"\s+")


@lru_cache(maxsize=1 << 16)
def normalise_cell(text: str) -> str:
    """NFKC (full-width digits and punctuation to ASCII) and no inner whitespace.

    Cached: a report prints the same few thousand cell texts many times and every reader asks again."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


_DASH_RUN = re.compile(r"^[-—－]+$")


def is_blank(text: str) -> bool:
    """Empty, or a mark meaning 'nothing' (dashes of any length, a slash)."""
    cell = normalise_cell(text)
    return cell in _BLANK_MARKS or bool(_DASH_RUN.match(cell))


def parse_amount(text: str) -> float | None:
    """The number printed in a cell, or None when the cell is not a number.

    Parenthesised numbers are negative (accounting style). Blanks and dashes are not numbers:
    callers treat them as 'no value', which is different from 0.00.
    """
    cell = normalise_cell(text)
    if is_blank(cell):
        return None
    negative = False
    if cell.startswith("(") and cell.endswith(")"):
        negative, cell = True, cell[1:-1]
    if not _AMOUNT.match(cell):
        return None
    value = float(cell.replace(",", ""))
    return -value if negative else value


def looks_like_amount(text: str) -> bool:
    return parse_amount(text) is not None
