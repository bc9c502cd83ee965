"""Rows of cells from the two layouts text extraction leaves behind.

* tab rows: one table row per line, cells separated by tabs (PDF extractions; seeds 000, 001, 003, 004);
* cell per line: every cell starts on its own line with a tab and may run over several lines, rows
  are not marked (DOCX extractions; seed 002). Rows are rebuilt from the header's column count.

Cells keep their first line number for provenance. Text inside cells is cleaned of HTML paragraph
tags and entities that some converters leave (``<p>…</p>``, ``&gt;``), never of its words.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.amounts import normalise_cell

_TAGS = re.compile(r"</?p>|<br\s*/?>")
_MATH = re.compile(r"\$\s*\\?(geq|leq|ge|le|lt|gt|<|>)\s*\$")
_SPACES = re.compile(r"[ \t\u3000]+")
_MATH_SIGNS = {"geq": "≥", "ge": "≥", "leq": "≤", "le": "≤", "lt": "<", "gt": ">", "<": "<", ">": ">"}


@dataclass(frozen=True, slots=True)
class GridCell:
    text: str  # cleaned, whitespace kept between words
    flat: str  # NFKC, no whitespace: what matching and numbers use
    line_no: int


@dataclass(slots=True)
class GridRow:
    line_no: int
    cells: list[GridCell]

    def filled(self) -> list[GridCell]:
        return [cell for cell in self.cells if cell.flat]


def clean(text: str) -> str:
    if "$" in text:  # (each pattern needs its first character: most cells hold neither)
        text = _MATH.sub(lambda m: _MATH_SIGNS[m.group(1)], text)
    if "<" in text:
        text = _TAGS.sub(" ", text)
    return _SPACES.sub(" ", html.unescape(text)).strip()


def make_cell(text: str, line_no: int) -> GridCell:
    return GridCell(*_cleaned(text), line_no)


@lru_cache(maxsize=4096)
def _cleaned(text: str) -> tuple[str, str]:
    """A cell's text cleaned, and its flat form: each finder reads the lines it looks at into cells, and a
    report's cells repeat (the same line read by several finders, the same words in many rows)."""
    cleaned = clean(text)
    return cleaned, normalise_cell(cleaned)


def tab_rows(lines: list[tuple[int, str]]) -> list[GridRow]:
    """Every line holding a tab is a row; lines without one are not part of the grid."""
    return [GridRow(line_no, [make_cell(part, line_no) for part in text.split("\t")])
            for line_no, text in lines if "\t" in text]


def is_cell_per_line(lines: list[tuple[int, str]]) -> bool:
    """Most tabbed lines hold a single leading tab: the DOCX-style layout."""
    tabbed = [text for _, text in lines if "\t" in text]
    if not tabbed:
        return False
    single = sum(1 for text in tabbed if text.startswith("\t") and text.count("\t") == 1)
    return single * 2 > len(tabbed)


def cells_per_line(lines: list[tuple[int, str]]) -> list[GridCell]:
    """Cells of the cell-per-line layout: a line starting with a tab opens a cell, others continue it."""
    cells: list[tuple[int, list[str]]] = []
    for line_no, text in lines:
        if text.startswith("\t"):
            cells.append((line_no, [text[1:]]))
        elif cells and text.strip():
            cells[-1][1].append(text)
    return [make_cell(" ".join(parts), line_no) for line_no, parts in cells]


def chunk(cells: list[GridCell], width: int) -> list[GridRow]:
    return [GridRow(cells[i].line_no, cells[i:i + width]) for i in range(0, len(cells), width)]
