"""Tab-separated rows as extracted from PDF text: positions, codes, header paths."""

from __future__ import annotations

import re

from ingest.amounts import looks_like_amount, normalise_cell

CODE = re.compile(r"^\d{3}(\d{2}){0,2}$")
STRUCTURAL_HEADERS = {
    "项目", "栏次", "行次", "功能分类科目编码", "科目名称", "经济分类科目编码", "科目编码", "编码", "功能分类科目",
}


def split_row(line: str) -> list[str]:
    return [token.strip() for token in line.rstrip("\n").split("\t")]


def is_table_row(line: str) -> bool:
    return "\t" in line


def classification_code(token: str) -> str | None:
    """'2010301' or '201 03 01' -> '2010301'; anything else -> None."""
    candidate = normalise_cell(token)
    return candidate if CODE.match(candidate) else None


def is_body_row(tokens: list[str]) -> bool:
    """A row that carries a value (an amount anywhere, or a 科目 code as its first cells): header rows
    above it name columns; it and the rows below are the table's body."""
    cells = [normalise_cell(t) for t in tokens]
    return any(looks_like_amount(c) for c in cells) or any(classification_code(c) for c in cells[:2] if c)


def column_numbers(tokens: list[str]) -> dict[int, int] | None:
    """Positions of a 栏次 line ('栏次', '', '1', '2' …) or a bare numbering line ('1' … 'N')."""
    cells = [normalise_cell(t) for t in tokens]
    numbered = {pos: int(cell) for pos, cell in enumerate(cells) if cell.isdigit() and len(cell) <= 2}
    others = [cell for pos, cell in enumerate(cells) if cell and pos not in numbered]
    if not numbered or any(cell != "栏次" for cell in others):
        return None
    if sorted(numbered.values()) != list(range(1, len(numbered) + 1)):
        return None
    return numbered


def header_paths(header_rows: list[list[str]], positions: list[int]) -> dict[int, str]:
    """Column path for each value position from stacked header rows.

    A header cell spans to the right over empty cells as long as some lower header row has a
    label there (merged title cells). Structural labels (项目, 科目名称 …) are left out.
    """
    rows = [[normalise_cell(t) for t in row] for row in header_rows]
    width = max([len(r) for r in rows] + [max(positions, default=0) + 1])
    rows = [r + [""] * (width - len(r)) for r in rows]
    filled = [list(r) for r in rows]
    for level in range(len(rows) - 1):
        for pos in range(1, width):
            lower_has_label = any(rows[lower][pos] for lower in range(level + 1, len(rows)))
            if not rows[level][pos] and lower_has_label and _spans(rows, level, pos):
                filled[level][pos] = filled[level][pos - 1]
    paths = {}
    for pos in positions:
        parts = [filled[level][pos] for level in range(len(rows))]
        parts = [p for p in parts if p and p not in STRUCTURAL_HEADERS]
        deduped = [p for i, p in enumerate(parts) if i == 0 or p != parts[i - 1]]
        paths[pos] = "/".join(deduped)
    return paths


def _spans(rows: list[list[str]], level: int, pos: int) -> bool:
    """A cell can only span into pos if the cells between it and pos have no label of their own."""
    left = pos - 1
    while left >= 0 and not rows[level][left]:
        left -= 1
    return left >= 0 and rows[level][left] not in STRUCTURAL_HEADERS
