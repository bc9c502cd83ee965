"""公开06 一般公共预算财政拨款基本支出决算表: economic codes printed in side-by-side groups.

Each line carries up to N groups of (经济分类科目编码, 科目名称, 决算数 …). Groups are found from
the header (every cell naming 科目编码 starts one), so two- or four-group layouts read the same way.
The closing line (人员经费合计 … 公用经费合计 …) is read label by label, because extractors
misalign it.
"""

from __future__ import annotations

from ingest.amounts import looks_like_amount, normalise_cell
from ingest.model import Cell, ParsedTable, ParseIssue
from ingest.tables.block import TableBlock, amount_cell
from ingest.tables.rows import classification_code


def parse_economic_groups(block: TableBlock, table: ParsedTable) -> None:
    rows = block.rows()
    header_index = next(
        (i for i, (_, tokens) in enumerate(rows) if sum("编码" in normalise_cell(t) for t in tokens) >= 1), None
    )
    if header_index is None:
        table.issues.append(ParseIssue(block.table_code, block.lines[0][0] if block.lines else None,
                                       "no header naming 经济分类科目编码 found"))
        return
    header = _combined_header(rows, header_index)
    starts = [pos for pos, cell in enumerate(header) if "编码" in cell]
    groups = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(header)
        value_positions = [p for p in range(start + 2, end) if header[p]]
        groups.append((start, value_positions))
    for line_no, tokens in rows[header_index + 1:]:
        if any(classification_code(tokens[start]) for start, _ in groups if start < len(tokens)):
            _read_code_groups(block, table, line_no, tokens, groups, header)
        else:
            _read_labelled_totals(block, table, line_no, tokens, header, groups)


def _combined_header(rows, header_index: int) -> list[str]:
    """The 编码 header row, its blank cells labelled from the other header rows (PDFs print 决算数 one
    row above 科目编码, with 类 / 款 beneath)."""
    first_code_row = next((i for i, (_, tokens) in enumerate(rows)
                           if any(classification_code(t) for t in tokens)), len(rows))
    header_rows = [[normalise_cell(t) for t in tokens] for _, tokens in rows[:max(first_code_row, header_index + 1)]]
    header = list(header_rows[header_index])
    for pos, cell in enumerate(header):
        if not cell:
            header[pos] = next((row[pos] for row in header_rows if pos < len(row) and row[pos]
                                and row[pos] not in ("类", "款", "项")), "")
    return header


def _read_code_groups(block, table, line_no, tokens, groups, header) -> None:
    for start, value_positions in groups:
        code = classification_code(tokens[start]) if start < len(tokens) else None
        name = normalise_cell(tokens[start + 1]) if start + 1 < len(tokens) else ""
        if code is None:
            leftovers = [tokens[p] for p in range(start, start + 2 + len(value_positions))
                         if p < len(tokens) and normalise_cell(tokens[p])]
            if leftovers:
                table.issues.append(ParseIssue(block.table_code, line_no,
                                               f"group at column {start + 1} has values but no code",
                                               "\t".join(tokens)))
            continue
        for pos in value_positions:
            token = tokens[pos] if pos < len(tokens) else ""
            result = amount_cell(block, line_no=line_no, token=token, row_label=name, row_code=code,
                                 column_path=header[pos], position=pos)
            if isinstance(result, Cell):
                table.cells.append(result)
            elif isinstance(result, ParseIssue):
                table.issues.append(result)


def _read_labelled_totals(block, table, line_no, tokens, header, groups) -> None:
    """'人员经费合计', '', '2,113.44', '公用经费合计', '', '', '', '92.60': each label takes the next amount."""
    value_header = header[groups[0][1][0]] if groups and groups[0][1] else "决算数"
    labels = [(pos, normalise_cell(t)) for pos, t in enumerate(tokens)
              if normalise_cell(t) and not looks_like_amount(t)]
    amounts = [pos for pos, t in enumerate(tokens) if looks_like_amount(t)]
    first_values = groups[0][1] if groups else []
    if len(labels) == 1 and len(first_values) > 1 and amounts and set(amounts) <= set(first_values):
        # one total line under a multi-column group (合计 | 合计 | 人员经费 | 公用经费): read by column
        for pos in amounts:
            result = amount_cell(block, line_no=line_no, token=tokens[pos], row_label=labels[0][1], row_code=None,
                                 column_path=header[pos], position=pos)
            if isinstance(result, Cell):
                table.cells.append(result)
        return
    pending: str | None = None
    for pos, token in enumerate(tokens):
        cell = normalise_cell(token)
        if not cell:
            continue
        if looks_like_amount(cell):
            if pending is None:
                table.issues.append(ParseIssue(block.table_code, line_no, f"amount '{token}' without a label",
                                               "\t".join(tokens)))
                continue
            result = amount_cell(block, line_no=line_no, token=token, row_label=pending, row_code=None,
                                 column_path=value_header, position=pos)
            if isinstance(result, Cell):
                table.cells.append(result)
            pending = None
        else:
            pending = cell
