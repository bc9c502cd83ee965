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
from ingest.tables.rows import classification_code, column_numbers, header_paths, is_body_row


def parse_header_grid(block: TableBlock, table: ParsedTable) -> None:
    rows = block.rows()
    numbering_index = next((i for i, (_, tokens) in enumerate(rows) if column_numbers(tokens)), None)
    if numbering_index is not None:
        numbers = column_numbers(rows[numbering_index][1]) or {}
        positions = sorted(numbers)
        header_rows, body = rows[:numbering_index], rows[numbering_index + 1:]
    else:
        # no 栏次 line (most PDFs and budget tables): the header is every row above the first one that
        # carries an amount or a code; the value columns are those where some body row prints an amount
        first_body = next((i for i, (_, tokens) in enumerate(rows) if is_body_row(tokens)), None)
        if first_body is None:
            if rows:  # a header with no body: an empty table (its note says why), nothing to read
                return
            table.issues.append(ParseIssue(block.table_code, block.lines[0][0] if block.lines else None,
                                           "no table rows found under the title"))
            return
        header_rows, body = rows[:first_body], rows[first_body:]
        positions = sorted({pos for _, tokens in body for pos, token in enumerate(tokens)
                            if looks_like_amount(token) and not _is_code_cell(tokens, pos)})
        numbers = {}
    if not positions:
        return  # code rows without a single amount: nothing printed to read
    paths = header_paths([tokens for _, tokens in header_rows], positions)
    first_value = positions[0] if positions else 0
    for line_no, tokens in body:
        if numbering_index is None and _repeats_header(tokens, header_rows):
            continue
        _read_row(block, table, line_no, tokens, positions, paths, numbers, first_value)


def _is_code_cell(tokens: list[str], pos: int) -> bool:
    """The row's code: the first printed cell, when it reads as a 类/款/项 code."""
    first = next((p for p, t in enumerate(tokens) if normalise_cell(t)), None)
    return pos == first and classification_code(tokens[pos]) is not None


def _repeats_header(tokens: list[str], header_rows: list[tuple[int, list[str]]]) -> bool:
    return any(tokens == header for _, header in header_rows)


def _read_row(block, table, line_no, tokens, positions, paths, numbers, first_value) -> None:
    label_tokens = [t for t in tokens[:first_value] if t]
    code = classification_code(label_tokens[0]) if label_tokens else None
    name_tokens = label_tokens[1:] if code else label_tokens
    row_label = normalise_cell("".join(name_tokens))
    values = {pos: tokens[pos] if pos < len(tokens) else "" for pos in positions}
    aligned = not any(looks_like_amount(t) for t in name_tokens) and all(
        not normalise_cell(v) or looks_like_amount(v) for v in values.values()
    )
    extra = [t for t in tokens[positions[-1] + 1:] if normalise_cell(t)]
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
        printed_at = dict(zip(positions, [p for p, t in enumerate(tokens) if p >= (1 if code else 0)
                                          and looks_like_amount(t)], strict=True))
        row_label = normalise_cell("".join(labels))
    else:
        printed_at = {pos: pos for pos in positions}
    for pos in positions:
        result = amount_cell(block, line_no=line_no, token=values[pos], row_label=row_label, row_code=code,
                             column_path=paths[pos], column_number=numbers.get(pos), position=printed_at[pos])
        if isinstance(result, Cell):
            table.cells.append(result)
        elif isinstance(result, ParseIssue):
            table.issues.append(result)
