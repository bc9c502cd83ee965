"""部门整体支出绩效评价基础数据表: headcount, cost control and project spending behind a self-evaluation.

The table stacks sections, each opened by a header row whose first cell names the section (财政供养
人员情况, 经费控制情况) and whose other cells name its columns (编制数, 实际在职人数, 控制率 /
2019年决算数, 2020年预算数, 2020年决算数). Data rows below a header are read against that header; a
data row with an empty label (the headcount figures) takes the section's name. Headcounts keep unit
人, rates %, money 万元 (cells often print it: 1733.634137万元). Read as table BASE_DATA.

Both layouts are read: tab rows, and the cell-per-line layout where the first header's width rebuilds
the rows. Integrity (控制率 = 在职 / 编制, 项目支出 = Σ its numbered items) is checked downstream.
"""

from __future__ import annotations

import re

from ingest.amounts import is_blank, lacks, normalise_cell
from ingest.model import Cell, ParsedTable, ParseIssue
from ingest.performance.budget_tables import read_value
from ingest.performance.grid import GridRow, cells_per_line, chunk, is_cell_per_line, tab_rows

TITLE = re.compile(r"绩效评价基础数据(汇总)?表$")
_NO_TITLE_CHAR = lacks("表")  # TITLE ends in it: a line without it is no title
SECTION = re.compile(r"情况$")
END = re.compile(r"^\s*(附件\s*\d|填表人|说明[:：])")
_LOOKAHEAD = 8  # the grid starts within a few lines of its title, else the title is a mention in prose


def find_base_data_tables(lines: list[str]) -> list[ParsedTable]:
    numbered = list(enumerate(lines, start=1))
    tables = []
    for index, (line_no, text) in enumerate(numbered):
        if _NO_TITLE_CHAR(text) or "\t" in text.strip("\t") or not TITLE.search(normalise_cell(text.strip("\t #"))):
            continue
        block = []
        for probe_no, probe in numbered[index + 1:]:
            if END.match(probe) or (block and probe.strip() and "\t" not in probe) or (
                    not block and probe_no - line_no > _LOOKAHEAD):
                break
            if "\t" in probe:
                block.append((probe_no, probe))
        if not block:
            continue  # a mention of the table in prose (报告应包括以下附件), not the table
        code = "BASE_DATA" if not tables else f"BASE_DATA_{len(tables) + 1:02d}"
        table = ParsedTable(table_code=code, title=text.strip("\t #"), printed_number=None, printed_unit="万元",
                            first_line=line_no, last_line=block[-1][0])
        _read(table, _rows(block))
        tables.append(table)
    return tables


def _rows(block: list[tuple[int, str]]) -> list[GridRow]:
    if not is_cell_per_line(block):
        return tab_rows(block)
    cells = cells_per_line(block)
    start = next((i for i, c in enumerate(cells) if SECTION.search(c.flat)), 0)
    following = next((i for i in range(start + 1, len(cells)) if not cells[i].flat or read_value(cells[i].text, "")),
                     len(cells))
    return chunk(cells[start:], max(1, following - start))


def _read(table: ParsedTable, rows: list[GridRow]) -> None:
    header: list[str] = []
    section = ""
    for row in rows:
        flats = [c.flat for c in row.cells]
        values = flats[1:]
        if SECTION.search(flats[0]) and values and not any(read_value(v, "") for v in values):
            section, header = flats[0], values
            continue
        if not header or all(is_blank(f) for f in values):
            continue
        label = flats[0].rstrip(":：") or section
        for column, cell in enumerate(row.cells[1:]):
            if is_blank(cell.flat):
                continue
            path = header[column] if column < len(header) else ""
            parsed = read_value(cell.text, path)
            if parsed is None or not path:
                table.issues.append(ParseIssue(table.table_code, cell.line_no,
                                               f"expected a number in column '{path or column + 2}' of row "
                                               f"'{label}', found '{cell.text}'", cell.text))
                continue
            table.cells.append(Cell(table_code=table.table_code, row_label=label, row_code=None, row_number=None,
                                    side=None, column_path=path, column_number=column + 1, value_text=cell.text,
                                    amount=parsed[0], line_no=cell.line_no, unit=parsed[1]))
