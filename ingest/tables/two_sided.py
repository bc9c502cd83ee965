"""Two-sided summary tables: income on the left, expenditure on the right (and a second expenditure view).

Reads 公开01 收入支出决算总表, 公开04 财政拨款收入支出决算总表 and the 部门预算 收支预算总表 /
财政拨款收支预算总表 of every layout. The header is every row above the first body row (a 栏次 line is
numbering, not body). Each side starts at a label column — one whose header names it (项目, 项目名称,
功能科目名称 …) or whose body prints names rather than amounts — and owns the amount columns up to the
next side. Each amount column's path comes from the stacked header rows over it, without the captions
that stand over a whole side (收入, 本年支出, 功能分类, 支出用途): so a side printing 合计 | 基本支出
(人员经费, 公用经费) | 项目支出 under one 预算数 caption reads as four columns, not one.
"""

from __future__ import annotations

from ingest.amounts import is_blank, looks_like_amount, normalise_cell
from ingest.model import Cell, ParsedTable, ParseIssue
from ingest.tables.block import TableBlock, amount_cell
from ingest.tables.rows import column_numbers, header_paths

SIDE_NAMES = {"收入": "income", "支出": "expenditure", "财政拨款收入": "income", "财政拨款支出": "expenditure",
              "本年收入": "income", "本年支出": "expenditure"}
SIDE_LABELS = {"项目", "项目名称", "功能科目名称", "科目名称", "支出功能分类科目", "收入项目", "支出项目"}
ROW_NUMBER = "行次"


def parse_two_sided(block: TableBlock, table: ParsedTable) -> None:
    rows = block.rows()
    first_body = next((i for i, (_, tokens) in enumerate(rows) if _is_body(tokens)), None)
    if first_body is None:
        table.issues.append(ParseIssue(block.table_code, block.lines[0][0] if block.lines else None,
                                       "no table rows found under the title"))
        return
    header_rows, numbers = [], {}
    for _, tokens in rows[:first_body]:
        cells = [normalise_cell(t) for t in tokens]
        if cells and cells[0] == "栏次":  # the numbering line under the header: 栏 次 | | 1 | 栏 次 | | 2
            numbers = column_numbers(["" if cell == "栏次" else cell for cell in cells]) or {}
        else:
            header_rows.append(cells)
    body = rows[first_body:]
    width = max(len(tokens) for _, tokens in rows)
    number_columns = {j for j in range(width) if any(j < len(h) and h[j] == ROW_NUMBER for h in header_rows)}
    starts = _side_starts(header_rows, body, width, number_columns)
    if len(starts) < 2:
        table.issues.append(ParseIssue(block.table_code, body[0][0] if body else None,
                                       "no label column for each side (项目 / 项目名称 …) found"))
        return
    sides = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else width
        number_pos = next((p for p in range(start + 1, end) if p in number_columns), None)
        value_positions = [p for p in range(start + 1, end) if p not in number_columns]
        sides.append((start, end, number_pos, value_positions))
    names = _side_names(header_rows, [start for start, *_ in sides])
    paths = _column_paths(header_rows, sides)
    for line_no, tokens in body:
        tokens = _spanning_label_moved(tokens, sides)
        for name, (start, _end, number_pos, value_positions) in zip(names, sides, strict=True):
            _read_side(block, table, line_no, tokens, name, start, number_pos, value_positions, paths, numbers)


def _is_body(tokens: list[str]) -> bool:
    """A row carrying an amount that is not a 栏次 numbering line."""
    cells = [normalise_cell(t) for t in tokens]
    return any(looks_like_amount(c) for c in cells) and not (cells and cells[0] == "栏次")


def _side_starts(header_rows: list[list[str]], body, width: int, number_columns: set[int]) -> list[int]:
    """Label columns, left to right: named 项目 / 项目名称 … in the header's lowest row that names any, or
    printing names (not amounts) in the body."""
    named = []
    for header in reversed(header_rows):
        named = [j for j, cell in enumerate(header) if cell in SIDE_LABELS]
        if named:
            break
    texts = [0] * width
    amounts = [0] * width
    for _, tokens in body:
        for j, token in enumerate(tokens):
            if j in number_columns or is_blank(token):
                continue
            if looks_like_amount(token):
                amounts[j] += 1
            else:
                texts[j] += 1
    printed = [j for j in range(width) if texts[j] > amounts[j] and j not in number_columns]
    starts = sorted(set(named) | set(printed))
    # two neighbouring label columns are one side's label (a name split over two columns)
    return [j for k, j in enumerate(starts) if k == 0 or starts[k - 1] != j - 1]


def _side_names(header_rows: list[list[str]], starts: list[int]) -> list[str]:
    """income / expenditure from the caption over each side's first column (the nearest one at or left of
    it); a second expenditure side (支出用途 beside 功能分类) is expenditure_2."""
    names: list[str] = []
    for index, start in enumerate(starts):
        printed = ""
        for cells in header_rows:
            left = next((cells[p] for p in range(min(start, len(cells) - 1), -1, -1) if cells[p]), "")
            if left in SIDE_NAMES:
                printed = left
                break
        name = SIDE_NAMES.get(printed, ["income", "expenditure"][index] if index < 2 else "expenditure")
        names.append(name if name not in names else f"{name}_{names.count(name) + 1}")
    return names


def _column_paths(header_rows: list[list[str]], sides) -> dict[int, str]:
    """Each amount column's header path without the side's captions: the labels over the side's label column
    that stand over every one of its amount columns too (收入, 本年支出, 功能分类, 支出用途)."""
    paths: dict[int, str] = {}
    for start, _end, _, values in sides:
        if not header_rows:
            paths.update({p: "" for p in values})
            continue
        raw = header_paths(header_rows, [start, *values])
        own = {p: [part for part in raw[p].split("/") if part] for p in [start, *values]}
        captions = {part for part in own[start] if all(part in own[p] for p in values)}
        for p in values:
            paths[p] = "/".join(part for part in own[p]
                                if part not in captions and part not in SIDE_NAMES and part not in SIDE_LABELS)
    return paths


def _spanning_label_moved(tokens: list[str], sides) -> list[str]:
    """A label merged across the next side's label column (当年支出小计 over 功能分类 and 支出用途) belongs to
    the amounts printed in that next side: move it there when its own side prints none."""
    def cell(pos: int | None) -> str:
        return normalise_cell(tokens[pos]) if pos is not None and pos < len(tokens) else ""

    tokens = list(tokens)
    for (start, _, _, values), (next_start, _, _, next_values) in zip(sides, sides[1:], strict=False):
        if cell(start) and not any(cell(p) for p in values) and not cell(next_start) and any(
                cell(p) for p in next_values):
            while len(tokens) <= next_start:
                tokens.append("")
            tokens[next_start], tokens[start] = tokens[start], ""
    return tokens


def _read_side(block, table, line_no, tokens, side, start, number_pos, value_positions, paths, numbers) -> None:
    def at(pos: int | None) -> str:
        return tokens[pos] if pos is not None and pos < len(tokens) else ""

    label = normalise_cell(at(start))
    row_number_text = normalise_cell(at(number_pos))
    row_number = int(row_number_text) if row_number_text.isdigit() and len(row_number_text) <= 4 else None
    values = [(pos, at(pos)) for pos in value_positions]
    if not label and not any(normalise_cell(v) for _, v in values):
        return
    if not label:
        table.issues.append(ParseIssue(block.table_code, line_no,
                                       f"{side} row {row_number} has amounts but no label", "\t".join(tokens)))
        return
    for pos, token in values:
        result = amount_cell(block, line_no=line_no, token=token, row_label=label, row_code=None,
                             column_path=paths.get(pos, ""), column_number=numbers.get(pos),
                             row_number=row_number, side=side, position=pos)
        if isinstance(result, Cell):
            table.cells.append(result)
        elif isinstance(result, ParseIssue):
            table.issues.append(result)
