"""Printed amounts: '10,152.21', '-3.00', '（12.5）', '' and the dashes used for 'nothing'."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

_AMOUNT = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
_BLANK_MARKS = {"", "-", "—", "--", "——", "/", "－"}

UNIT_SCALE_TO_WAN = {"万元": 1.0, "元": 0.0001, "千元": 0.1, "亿元": 10000.0}


@lru_cache(maxsize=1 << 16)
def normalise_cell(text: str) -> str:
    """NFKC (full-width digits and punctuation to ASCII) and no inner whitespace.

    Cached: a report prints the same few thousand cell texts many times and every reader asks again."""
    return "".join(unicodedata.normalize("NFKC", text).split())  # split() splits on just what \s matches


# Characters NFKC makes of no other character, nor composes of several (they have no decomposition;
# tests/test_amounts.py checks both against the Unicode data in use): a text without one has none after
# ``normalise_cell`` either, so a reader looking for a word with one of them may skip a line that lacks it
# before normalising the line.
SOLE_SOURCE_CHARACTERS = frozenset("表级门位")


def lacks(chars: str) -> Callable[[str], bool]:
    """A test, run on a line's raw text, that its normalised text (``normalise_cell``) holds none of ``chars``:
    true when none of them is in the raw text, which holds because each is one of SOLE_SOURCE_CHARACTERS
    (checked here, once). Readers use it to skip most lines before normalising them."""
    if not chars or not set(chars) <= SOLE_SOURCE_CHARACTERS:
        raise ValueError(f"{chars!r}: NFKC may make these of other characters (amounts.SOLE_SOURCE_CHARACTERS)")
    if len(chars) == 1:
        return lambda text: chars not in text
    return lambda text: not any(char in text for char in chars)

_DASH_RUN = re.compile(r"^[-—－]+$")


@lru_cache(maxsize=1 << 16)
def is_blank(text: str) -> bool:
    """Empty, or a mark meaning 'nothing' (dashes of any length, a slash). Cached like ``normalise_cell``."""
    cell = normalise_cell(text)
    return cell in _BLANK_MARKS or bool(_DASH_RUN.match(cell))


@lru_cache(maxsize=1 << 16)
def parse_amount(text: str) -> float | None:
    """The number printed in a cell, or None when the cell is not a number.

    Parenthesised numbers are negative (accounting style). Blanks and dashes are not numbers:
    callers treat them as 'no value', which is different from 0.00. Cached: the readers ask about each
    cell several times (is it an amount? a blank? which value?).
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
