"""Budget and execution tables of performance reports, read as labelled amount grids.

Families (by title words, never by position):
BUD_SOURCE    部门整体支出预算资金来源与调整情况 (by source; 年初预算数, 调整预算数)
BUD_FUNCTION  部门整体支出构成与调整情况（按支出功能分类）
BUD_USE       部门整体支出构成与调整情况（按支出用途）
BUD_ITEMS     部门预算编制情况 (分类, 预算项目, 部门预算指标)
BUD_EXECUTION 预算整体支出情况表 (部门预算指标, 结转, 追加, 调整, 年度总指标, 支出数, 剩余指标, 执行进度)
ASSETS        固定资产保有及使用情况表 (数量, 原值, 在用, 利用率)
SANGONG_UNITS “三公”经费决算情况表 by subunit (附表, two header rows over budget and final columns)

Rows keep their printed label; a 分类 column (the group a row belongs to) is forward-filled and
recorded in the row label as ``分类/预算项目`` so a row missing its 分类 cell is still placed.
Rates (执行进度, 利用率) keep unit ``%``, counts (数量) unit ``个``; only money is scaled to 万元.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.amounts import is_blank, normalise_cell, parse_amount
from ingest.model import Cell, ParsedTable, ParseIssue
from ingest.tables.rows import header_paths, split_row


@dataclass(frozen=True)
class BudgetFamily:
    code: str
    title_words: tuple[str, ...]  # all must appear in the normalised title


FAMILIES = (
    BudgetFamily("BUD_SOURCE", ("预算资金来源",)),
    BudgetFamily("BUD_FUNCTION", ("按支出功能分类",)),
    BudgetFamily("BUD_USE", ("按支出用途",)),
    BudgetFamily("BUD_ITEMS", ("部门预算编制情况",)),
    BudgetFamily("BUD_EXECUTION", ("预算整体支出情况",)),
    BudgetFamily("ASSETS", ("固定资产", "使用情况")),
    BudgetFamily("SANGONG_UNITS", ("三公", "经费", "决算情况表")),
)
UNIT_LINE = re.compile(r"单位[:：]\s*(万元|元|千元|亿元)")
GROUP_HEADERS = {"分类"}
TEXT_HEADERS = ("原因", "说明", "备注")
PERCENT = re.compile(r"^(-?\d+(?:\.\d+)?)%$")
WAN_SUFFIXED = re.compile(r"^(-?[\d,]+(?:\.\d+)?)万元$")  # forms that print the unit in the cell
PEOPLE_SUFFIXED = re.compile(r"^(\d+)人$")
HEADCOUNT_HEADERS = ("编制数", "人数")
_LOOKAHEAD = 8
_QUOTES = re.compile(r"[\"“”'‘’]")


@lru_cache(maxsize=1 << 12)
def family_for(title: str) -> BudgetFamily | None:
    """The family a line names as its title (cached: a kind of report prints the same lines again)."""
    flat = _QUOTES.sub("", normalise_cell(title))
    if flat.startswith("公开") or len(flat) > 60:
        return None
    return next((f for f in FAMILIES if all(word in flat for word in f.title_words)), None)


def find_budget_tables(lines: list[str]) -> list[ParsedTable]:
    tables = []
    numbered = list(enumerate(lines, start=1))
    seen: dict[str, int] = {}
    index = 0
    while index < len(numbered):
        line_no, text = numbered[index]
        family = family_for(text) if text.strip() and "\t" not in text else None
        if family is None:
            index += 1
            continue
        body_start = next((i for i in range(index + 1, min(len(numbered), index + _LOOKAHEAD))
                           if "\t" in numbered[i][1]), None)
        if body_start is None:
            index += 1
            continue
        end = body_start
        for probe in range(body_start, len(numbered)):
            probe_text = numbered[probe][1]
            if "\t" in probe_text:
                end = probe
            elif probe_text.strip() and not set(probe_text.strip()) <= set("-| ") and not _is_repeated_title(
                    probe_text, family):
                break
        unit_match = next((m for _, t in numbered[index:body_start] if (m := UNIT_LINE.search(t))), None)
        seen[family.code] = seen.get(family.code, 0) + 1  # a second table of a family gets its own code
        code = family.code if seen[family.code] == 1 else f"{family.code}_{seen[family.code]:02d}"
        table = ParsedTable(
            table_code=code, title=text.strip().lstrip("#").strip(), printed_number=None,
            printed_unit=unit_match.group(1) if unit_match else _unit_from_headers(numbered[body_start][1]),
            first_line=line_no, last_line=numbered[end][0],
        )
        _read_grid(table, [(n, t) for n, t in numbered[body_start:end + 1] if "\t" in t])
        tables.append(table)
        index = end + 1
    return tables


def _is_repeated_title(text: str, family: BudgetFamily) -> bool:
    return family_for(text) == family or bool(UNIT_LINE.search(text))


def _unit_from_headers(header_line: str) -> str:
    match = re.search(r"[(（](万元|元)[)）]", header_line)
    return match.group(1) if match else "万元"


def read_value(token: str, path: str) -> tuple[float, str | None] | None:
    """(number, unit of the cell when it is not the table's) or None when the cell is not a number.

    Cells may print their unit (96.47%, 212.6468万元, 18人); a bare number under a 数量 header is a
    count (个), under 编制数 / …人数 a headcount (人)."""
    flat = normalise_cell(token)
    if match := PERCENT.match(flat):
        return float(match.group(1)), "%"
    if match := WAN_SUFFIXED.match(flat):
        return float(match.group(1).replace(",", "")), "万元"
    if match := PEOPLE_SUFFIXED.match(flat):
        return float(match.group(1)), "人"
    value = parse_amount(token)
    if value is None:
        return None
    if "数量" in path:
        return value, "个"
    return value, "人" if any(word in path for word in HEADCOUNT_HEADERS) else None


def _read_grid(table: ParsedTable, rows: list[tuple[int, str]]) -> None:
    split_rows = [(n, split_row(t)) for n, t in rows]
    header_rows = []
    for _, tokens in split_rows:
        # a header row holds no number; a second one continues the first under a merged label cell
        holds_number = any(not is_blank(t) and read_value(t, "") for t in tokens[1:])
        if holds_number or (header_rows and normalise_cell(tokens[0])):
            break
        header_rows.append(tokens)
    if not header_rows:
        table.issues.append(ParseIssue(table.table_code, rows[0][0], "no header row above the amounts"))
        return
    header_flat = [normalise_cell(t) for t in header_rows[0]]
    width = max(len(t) for _, t in split_rows)
    n_labels = 1 + (1 if header_flat[0] in GROUP_HEADERS else 0)
    if len(header_rows) == 1:  # one header row: a '/' inside a header (上年/历年结转) is not a path separator
        paths = {pos: normalise_cell(tok).replace("/", "／")
                 for pos, tok in enumerate(header_rows[0]) if pos >= n_labels}
    else:
        paths = header_paths(header_rows, list(range(n_labels, width)))
    paths = {pos: re.sub(r"[(（](万元|元)[)）]", "", path) for pos, path in paths.items()}
    group = ""
    for line_no, tokens in split_rows[len(header_rows):]:
        if [normalise_cell(t) for t in tokens] == [normalise_cell(t) for t in header_rows[0]]:
            continue  # the header printed again on the next page
        if all(is_blank(t) for t in tokens):
            continue  # a rule line drawn with dashes
        tokens = tokens + [""] * (width - len(tokens))
        if n_labels == 2:
            group = normalise_cell(tokens[0]) or group
            item = normalise_cell(tokens[1])
            label = f"{group}/{item}" if item else group
        else:
            label = normalise_cell(tokens[0])
        if not label:
            continue
        for pos in range(n_labels, width):
            path = paths.get(pos)
            if not path or any(word in path for word in TEXT_HEADERS):
                continue
            cell = _value_cell(table, line_no, tokens[pos], label, path, pos - n_labels + 1)
            if isinstance(cell, ParseIssue):
                table.issues.append(cell)
            elif cell is not None:
                table.cells.append(cell)


def _value_cell(table: ParsedTable, line_no: int, token: str, label: str, path: str, column_number: int
                ) -> Cell | ParseIssue | None:
    if is_blank(token):
        return None
    parsed = read_value(token, path)
    if parsed is None:
        return ParseIssue(table.table_code, line_no, f"expected an amount in column '{path}' of row '{label}', "
                                                      f"found '{token}'", token)
    value, unit = parsed
    return Cell(table_code=table.table_code, row_label=label, row_code=None, row_number=None, side=None,
                column_path=path, column_number=column_number, value_text=token, amount=value, line_no=line_no,
                unit=unit)
