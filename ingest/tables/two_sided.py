"""Two-sided summary tables: income on the left, expenditure on the right.

Reads 公开01 收入支出决算总表 and 公开04 财政拨款收入支出决算总表. Each side is located by
its own 项目 header cell; its 行次 and amount columns are the header cells up to the next side.
"""

from __future__ import annotations

from ingest.amounts import normalise_cell
from ingest.model import Cell, ParsedTable, ParseIssue
from ingest.tables.block import TableBlock, amount_cell
from ingest.tables.rows import column_numbers

SIDE_NAMES = {"收入": "income", "支出": "expenditure", "财政拨款收入": "income", "财政拨款支出": "expenditure",
              "本年收入": "income", "本年支出": "expenditure"}
SIDE_LABELS = {"项目", "项目名称", "功能科目名称"}  # the label cell that starts each side


def parse_two_sided(block: TableBlock, table: ParsedTable) -> None:
    rows = block.rows()
    header_index = next(
        (i for i, (_, tokens) in enumerate(rows)
         if sum(normalise_cell(t) in SIDE_LABELS for t in tokens) >= 2), None
    )
    if header_index is None:
        table.issues.append(ParseIssue(block.table_code, block.lines[0][0] if block.lines else None,
                                       "no header with a 项目 cell for each side found"))
        return
    header = [normalise_cell(t) for t in rows[header_index][1]]
    starts = [pos for pos, cell in enumerate(header) if cell in SIDE_LABELS]
    side_names = _side_names([tokens for _, tokens in rows[:header_index]], starts)
    sides = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(header)
        number_pos = next((p for p in range(start + 1, end) if header[p] == "行次"), None)
        value_positions = [p for p in range(start + 1, end) if p != number_pos and header[p]]
        sides.append((side_names[index], start, number_pos, value_positions))
    body = rows[header_index + 1:]
    numbers: dict[int, int] = {}
    if body and normalise_cell(body[0][1][0] if body[0][1] else "") == "栏次":
        numbers = column_numbers([t if normalise_cell(t) != "栏次" else "" for t in body[0][1]]) or {}
        body = body[1:]
    for line_no, tokens in body:
        tokens = _spanning_label_moved(tokens, sides)
        for side, start, number_pos, value_positions in sides:
            _read_side(block, table, line_no, tokens, side, start, number_pos, value_positions, header, numbers)


def _spanning_label_moved(tokens: list[str], sides) -> list[str]:
    """A label merged across the next side's label column (当年支出小计 over 功能分类 and 支出用途) belongs to
    the amounts printed in that next side: move it there when its own side prints none."""
    def cell(pos: int | None) -> str:
        return normalise_cell(tokens[pos]) if pos is not None and pos < len(tokens) else ""

    tokens = list(tokens)
    for (_, start, _, values), (_, next_start, _, next_values) in zip(sides, sides[1:], strict=False):
        if cell(start) and not any(cell(p) for p in values) and not cell(next_start) and any(
                cell(p) for p in next_values):
            while len(tokens) <= next_start:
                tokens.append("")
            tokens[next_start], tokens[start] = tokens[start], ""
    return tokens


def _side_names(rows_above: list[list[str]], starts: list[int]) -> list[str]:
    """income / expenditure from the label spanning each side's first column in the rows above the
    header (the nearest label at or left of it); a second expenditure side (支出用途 beside 功能分类)
    is expenditure_2."""
    names: list[str] = []
    for index, start in enumerate(starts):
        printed = ""
        for tokens in rows_above:
            cells = [normalise_cell(t) for t in tokens]
            left = next((cells[p] for p in range(min(start, len(cells) - 1), -1, -1) if cells[p]), "")
            if left in SIDE_NAMES:
                printed = left
                break
        name = SIDE_NAMES.get(printed, ["income", "expenditure"][index] if index < 2 else "expenditure")
        names.append(name if name not in names else f"{name}_{names.count(name) + 1}")
    return names


def _read_side(block, table, line_no, tokens, side, start, number_pos, value_positions, header, numbers) -> None:
    def at(pos: int | None) -> str:
        return tokens[pos] if pos is not None and pos < len(tokens) else ""

    label = normalise_cell(at(start))
    row_number_text = normalise_cell(at(number_pos))
    row_number = int(row_number_text) if row_number_text.isdigit() else None
    values = [(pos, at(pos)) for pos in value_positions]
    if not label and not any(normalise_cell(v) for _, v in values):
        return
    if not label:
        table.issues.append(ParseIssue(block.table_code, line_no,
                                       f"{side} row {row_number} has amounts but no label", "\t".join(tokens)))
        return
    for pos, token in values:
        result = amount_cell(block, line_no=line_no, token=token, row_label=label, row_code=None,
                             column_path=header[pos], column_number=numbers.get(pos),
                             row_number=row_number, side=side, position=pos)
        if isinstance(result, Cell):
            table.cells.append(result)
        elif isinstance(result, ParseIssue):
            table.issues.append(result)
