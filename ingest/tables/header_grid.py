"""Tables with stacked column headers, a 栏次/numbering line, and one row per code or total.

Reads 公开02 收入决算表, 公开03 支出决算表, 公开05 一般公共预算财政拨款支出决算表,
公开07 “三公”经费支出决算表 (预算数 and 决算数 groups) and 公开08 政府性基金预算财政拨款收入支出决算表.
Columns are found from the header text, not from fixed positions, so a report that prints fewer
or other columns is still read correctly.
"""

from __future__ import annotations

from ingest.amounts import looks_like_amount, normalise_cell
from ingest.model import Cell, ParsedTable, ParseIssue
from ingest.tables.block import TableBlock, amount_cell
from ingest.tables.rows import classification_code, column_numbers, header_paths


def parse_header_grid(block: TableBlock, table: ParsedTable) -> None:
    rows = block.rows()
    numbering_index = next((i for i, (_, tokens) in enumerate(rows) if column_numbers(tokens)), None)
    if numbering_index is None:
        table.issues.append(ParseIssue(block.table_code, block.lines[0][0] if block.lines else None,
                                       "no 栏次 / column-numbering line found under the header"))
        return
    numbers = column_numbers(rows[numbering_index][1])
    assert numbers is not None
    positions = sorted(numbers)
    paths = header_paths([tokens for _, tokens in rows[:numbering_index]], positions)
    first_value = positions[0]
    for line_no, tokens in rows[numbering_index + 1:]:
        _read_row(block, table, line_no, tokens, positions, paths, numbers, first_value)


def _read_row(block, table, line_no, tokens, positions, paths, numbers, first_value) -> None:
    label_tokens = [t for t in tokens[:first_value] if t]
    code = classification_code(label_tokens[0]) if label_tokens else None
    name_tokens = label_tokens[1:] if code else label_tokens
    row_label = normalise_cell("".join(name_tokens))
    values = {pos: tokens[pos] if pos < len(tokens) else "" for pos in positions}
    aligned = not any(looks_like_amount(t) for t in name_tokens) and all(
        not normalise_cell(v) or looks_like_amount(v) for v in values.values()
    )
    extra = [t for pos, t in enumerate(tokens) if pos > positions[-1] and normalise_cell(t)]
    if not aligned or extra:
        amounts = [t for t in tokens[1 if code else 0:] if looks_like_amount(t)]
        labels = [t for t in tokens[1 if code else 0:] if normalise_cell(t) and not looks_like_amount(t)]
        if len(amounts) != len(positions):
            table.issues.append(ParseIssue(
                block.table_code, line_no,
                f"row has {len(amounts)} amounts where the header has {len(positions)} columns",
                "\t".join(tokens)))
            return
        values = dict(zip(positions, amounts, strict=True))
        row_label = normalise_cell("".join(labels))
    for pos in positions:
        result = amount_cell(block, line_no=line_no, token=values[pos], row_label=row_label, row_code=code,
                             column_path=paths[pos], column_number=numbers[pos])
        if isinstance(result, Cell):
            table.cells.append(result)
        elif isinstance(result, ParseIssue):
            table.issues.append(result)
