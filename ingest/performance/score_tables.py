"""Three-level score tables: 部门整体支出绩效评价指标评分表, 项目绩效评价指标评分表/分析表, 共性指标框架.

The tables are read by the *meaning* of their cells, not by their positions, because extraction
shifts cells left (a merged 一级 cell dropped), interleaves pages and wraps names over lines. A data
row is read as: zero to three (name, weight) pairs, then the indicator's texts (指标说明, 评分标准) and
one score. The pairs are right-aligned on the tree: the last pair is the third level, the one before
it the second, and so on; a row holding only pairs opens indicators completed by the next row.

The reader never guesses. A row that does not fit this grammar (numbers without a name, two
candidate scores, a third-level indicator without a score) makes the whole table unrecoverable: the
table is kept with a parse issue naming the line, and the integrity gate holds its scores back.
Weights and scores that parse but do not add up are left to the integrity rules, which report the
expected and the printed values.
"""

from __future__ import annotations

import re

from ingest.amounts import lacks, normalise_cell
from ingest.model import Indicator, ParseIssue, PerformanceTable
from ingest.performance.grid import (
    GridCell,
    GridRow,
    cells_per_line,
    chunk,
    is_cell_per_line,
    tab_rows,
)

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
EMBEDDED_WEIGHT = re.compile(r"^(?P<name>.{1,30}?)\((?P<weight>\d+(?:\.\d+)?)分?\)$")
HEADER_WORDS = {
    "评价指标", "一级指标", "二级指标", "三级指标", "名称", "权重(%)", "权重", "分值", "参考分值", "指标说明",
    "评分标准", "参考评分标准", "评分及标准", "得分", "自评得分", "自评分",
}
SCORE_HEADERS = ("得分", "自评得分", "自评分")
TOTAL_LABELS = ("总分", "合计", "总计")
STATED_TOTAL = re.compile(r"(?:得分|评分结果|总分|自评分)(?:为|是|:)?(\d+(?:\.\d+)?)分")
_NO_LEVEL_CHAR = lacks("级")  # of 一级指标, which a score table's header names
TITLE_WORDS = ("评分表", "分析表", "得分情况表", "框架", "评分情况表")
PROJECT_AFFIXES = re.compile(
    r"^(?:附件\d*[:：]?|表\d+(?:-\d+)?[:：]?|\d{4}年度?)+|"
    r"(?:项目)?(?:支出)?绩效评价指标(?:评分|分析)表$|(?:项目)?指标得分情况表$"
)
_LOOKBACK = 12
_ENDS_CELL_TABLE = re.compile(r"^\s*(附件\s*\d|填表人|\t\s*一级\s*$)")


def is_score_header(flats: list[str]) -> bool:
    cells = set(flats)
    return "一级指标" in cells and any(h in cells for h in SCORE_HEADERS) and not any(
        "指标值" in flat for flat in flats)


def find_score_tables(lines: list[str]) -> list[PerformanceTable]:
    numbered = list(enumerate(lines, start=1))
    tables: list[PerformanceTable] = []
    if is_cell_per_line(numbered):
        tables.extend(_cell_per_line_tables(numbered))
    else:
        tables.extend(_tab_tables(numbered))
    prefixes = {"department_score": "PERF_DEPT", "project_score": "PERF_PROJ", "indicator_framework": "PERF_FRAME"}
    for kind, prefix in prefixes.items():
        for index, table in enumerate((t for t in tables if t.kind == kind), start=1):
            table.table_code = f"{prefix}_{index:02d}"
            for issue in table.issues:
                issue.table_code = table.table_code
    return tables


def _tab_tables(numbered: list[tuple[int, str]]) -> list[PerformanceTable]:
    tables = []
    index = 0
    while index < len(numbered):
        start = _header_start(numbered, index)
        if start is None:
            index += 1
            continue
        end = index
        for probe in range(index + 1, len(numbered)):
            probe_text = numbered[probe][1]
            if "\t" in probe_text:
                end = probe
                if normalise_cell(probe_text.split("\t")[0]) in TOTAL_LABELS:
                    break
            elif probe_text.strip():
                break
        block = numbered[start:end + 1]
        tables.append(_read(numbered, start, tab_rows(block), block[-1][0]))
        index = end + 1
    return tables


def _header_start(numbered: list[tuple[int, str]], index: int) -> int | None:
    """Where a score table's header begins, if the line at ``index`` names 一级指标: that line, or the
    caption row above it carrying 得分 (评价指标 … 指标说明 评分标准 得分)."""
    text = numbered[index][1]
    if "\t" not in text or _NO_LEVEL_CHAR(text):  # most rows name no 一级指标
        return None
    flats = [normalise_cell(part) for part in text.split("\t")]
    if "一级指标" not in flats:
        return None
    above = index - 1
    while above >= 0 and not numbered[above][1].strip():
        above -= 1
    if above >= 0 and "\t" in numbered[above][1]:
        caption = [normalise_cell(part) for part in numbered[above][1].split("\t")]
        if all(not flat or flat in HEADER_WORDS for flat in caption) and is_score_header(flats + caption):
            return above
    return index if is_score_header(flats) else None


def _cell_per_line_tables(numbered: list[tuple[int, str]]) -> list[PerformanceTable]:
    """Tables end at their 总分 cell, at the next heading (附件N, 填表人) or at the next table's header."""
    tables = []
    index = 0
    while index < len(numbered):
        if normalise_cell(numbered[index][1]) not in ("一级指标", "一级"):
            index += 1
            continue
        end = index
        while end + 1 < len(numbered) and not _ENDS_CELL_TABLE.match(numbered[end + 1][1]):
            end += 1
        cells = cells_per_line(numbered[index:end + 1])
        header = [c.flat for c in cells[:8]]
        width = next((i + 1 for i, flat in enumerate(header) if flat in SCORE_HEADERS), 0)
        if not width or not is_score_header(header[:width]):
            index += 1
            continue
        stop = next((i for i in range(width, len(cells)) if cells[i].flat.startswith(TOTAL_LABELS)), len(cells))
        rows = [GridRow(cells[0].line_no, cells[:width]), *chunk(cells[width:stop], width)]
        if stop < len(cells):
            rows.append(GridRow(cells[stop].line_no, _split_total_cell(cells[stop])))
        elif len(rows) > 1 and len(rows[-1].cells) < width and _lone_number(rows[-1]):
            # a lone number after the last full row: the 自评分 total printed without a 总分 label
            lone = rows.pop().filled()[0]
            rows.append(GridRow(lone.line_no, [GridCell("总分", "总分", lone.line_no), lone]))
        last_line = cells[min(stop, len(cells) - 1)].line_no
        tables.append(_read(numbered, index, rows, last_line))
        index = next((i for i, (n, _) in enumerate(numbered) if n > last_line), len(numbered))
    return tables


def _lone_number(row: GridRow) -> bool:
    filled = row.filled()
    return len(filled) == 1 and bool(NUMBER.match(filled[0].flat))


def _split_total_cell(cell: GridCell) -> list[GridCell]:
    match = re.match(r"^(总分|合计|总计)[:：]?(\d+(?:\.\d+)?)$", cell.flat)
    if not match:
        return [cell]
    return [GridCell(match.group(1), match.group(1), cell.line_no),
            GridCell(match.group(2), match.group(2), cell.line_no)]


def _read(numbered: list[tuple[int, str]], header_index: int, rows: list[GridRow], last_line: int
          ) -> PerformanceTable:
    title, title_line = _title(numbered, header_index)
    kind = _kind(title)
    table = PerformanceTable(
        table_code="", kind=kind, title=title,
        scope_name=_project_name(title) if kind == "project_score" else None,
        first_line=title_line, last_line=last_line,
    )
    TreeReader(table).read(rows)
    if table.stated_total is None:
        _stated_total_nearby(numbered, header_index, table)
    return table


def _title(numbered: list[tuple[int, str]], header_index: int) -> tuple[str, int]:
    for line_no, text in reversed(numbered[max(0, header_index - _LOOKBACK):header_index]):
        flat = normalise_cell(text.lstrip("#").strip())
        if "\t" in text.strip("\t") or not flat:
            continue
        if any(word in flat for word in TITLE_WORDS):
            return re.sub(r"^#+\s*", "", text.strip()), line_no
    return "绩效评价指标评分表", numbered[header_index][0]


def _kind(title: str) -> str:
    flat = normalise_cell(title)
    if "框架" in flat:
        return "indicator_framework"
    if "部门整体" in flat or "部门" in flat and "项目" not in flat:
        return "department_score"
    return "project_score"


def _project_name(title: str) -> str:
    flat = re.sub(r"\d{4}年度?", "", normalise_cell(title))
    previous = None
    while previous != flat:
        previous, flat = flat, PROJECT_AFFIXES.sub("", flat)
    return flat or normalise_cell(title)


def _stated_total_nearby(numbered: list[tuple[int, str]], header_index: int, table: PerformanceTable) -> None:
    """Tables printed without a 总分 row quote their total in the sentence introducing them."""
    for line_no, text in reversed(numbered[max(0, header_index - _LOOKBACK):header_index]):
        match = STATED_TOTAL.search(normalise_cell(text))
        if match:
            table.stated_total, table.stated_total_line = float(match.group(1)), line_no
            return


def read_total_row(table: PerformanceTable, tokens: list[GridCell]) -> None:
    """总分 row: the last number is the stated score total, a first of two the stated weight total."""
    numbers = [t for t in tokens[1:] if NUMBER.match(t.flat)]
    if not numbers:
        return
    table.stated_total, table.stated_total_line = float(numbers[-1].flat), numbers[-1].line_no
    if len(numbers) > 1:
        table.stated_weight_total = float(numbers[0].flat)


class TreeReader:
    """Reads data rows into the indicator tree of one table (see the module docstring)."""

    def __init__(self, table: PerformanceTable) -> None:
        self.table = table
        self.open: dict[int, Indicator] = {}
        self.pending: list[tuple[str | None, GridCell]] = []
        self.last_leaf: Indicator | None = None

    def read(self, rows: list[GridRow]) -> None:
        for row in rows:
            tokens = self._tokens(row)
            if not tokens or all(t.flat in HEADER_WORDS for t in tokens):
                continue
            if tokens[0].flat in TOTAL_LABELS:
                read_total_row(self.table, tokens)
                continue
            self._data_row(row.line_no, tokens)
        if self.pending:
            self._fail(self.pending[0][1].line_no, "indicator names with weights but no row completing them")
        if not any(i.level == 3 for i in self.table.indicators):
            self._fail(self.table.first_line, "no third-level indicator could be read")

    @staticmethod
    def _tokens(row: GridRow) -> list[GridCell]:
        tokens = []
        for cell in row.filled():
            match = EMBEDDED_WEIGHT.match(cell.flat) if not NUMBER.match(cell.flat) else None
            if match:
                tokens.append(GridCell(match.group("name"), match.group("name"), cell.line_no))
                tokens.append(GridCell(match.group("weight"), match.group("weight"), cell.line_no))
            elif cell.flat not in ("-", "—", "——"):
                tokens.append(cell)
        return tokens

    def _data_row(self, line_no: int, tokens: list[GridCell]) -> None:
        pairs, rest = _pairs(tokens)
        numbers = [t for t in rest if NUMBER.match(t.flat)]
        texts = [t for t in rest if not NUMBER.match(t.flat)]
        if not pairs:
            if numbers:
                self._fail(line_no, f"numbers {', '.join(n.flat for n in numbers)} without an indicator name")
            elif self.last_leaf is not None:
                self.last_leaf.scoring_standard = " ".join(filter(None, [self.last_leaf.scoring_standard,
                                                                         *(t.text for t in texts)]))
            return
        pairs = self.pending + pairs
        self.pending = []
        if not numbers and not texts:
            self.pending = pairs
            return
        if len(pairs) > 3:
            self._fail(line_no, f"{len(pairs)} name/weight pairs in one row (at most 3 levels)")
            return
        if len(numbers) != 1:
            found = ", ".join(n.flat for n in numbers) or "none"
            self._fail(line_no, f"expected one score after indicator {pairs[-1][0] or '(unnamed)'}, found {found}")
            return
        first_level = 4 - len(pairs)
        if first_level > 1 and not all(level in self.open for level in range(1, first_level)):
            self._fail(line_no, f"indicator {pairs[0][0]} has no parent indicator above it")
            return
        for offset, (name, weight) in enumerate(pairs):
            self._open(first_level + offset, name, weight)
        leaf = self.open[3]
        leaf.score, leaf.score_text = float(numbers[0].flat), numbers[0].text
        if texts:
            leaf.description = texts[0].text
            leaf.scoring_standard = " ".join(t.text for t in texts[1:])

    def _open(self, level: int, name: str | None, weight: GridCell) -> None:
        current = self.open.get(level)
        value = float(weight.flat)
        if level < 3 and current is not None and current.path[-1] == name and current.weight == value:
            return  # the same ancestor printed again at a page break
        parent_path = self.open[level - 1].path if level > 1 else ()
        node = Indicator(level=level, path=(*parent_path, name), weight=value, weight_text=weight.text,
                         line_no=weight.line_no)
        self.table.indicators.append(node)
        self.open[level] = node
        for deeper in range(level + 1, 4):
            self.open.pop(deeper, None)
        if level == 3:
            self.last_leaf = node

    def _fail(self, line_no: int, reason: str) -> None:
        if self.table.issues:
            return  # the first break in the grammar is the reason; what follows it is noise
        self.table.issues.append(ParseIssue(
            self.table.table_code or None, line_no,
            f"score table '{self.table.title}' cannot be recovered: {reason} (line {line_no}); "
            "its scores are held back rather than risk pairing an indicator with the wrong score",
        ))


def _pairs(tokens: list[GridCell]) -> tuple[list[tuple[str | None, GridCell]], list[GridCell]]:
    """Leading (name, weight) pairs; a leading weight followed by text is a pair whose name is missing."""
    pairs: list[tuple[str | None, GridCell]] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if NUMBER.match(token.flat):
            if i == 0 and following is not None and not NUMBER.match(following.flat) and not _is_name(following):
                pairs.append((None, token))
                i += 1
                continue
            break
        if following is not None and _is_name(token) and NUMBER.match(following.flat):
            pairs.append((token.flat, following))
            i += 2
            continue
        break
    return pairs, tokens[i:]


def _is_name(token: GridCell) -> bool:
    flat = token.flat
    return len(flat) <= 30 and not flat.endswith(("。", ";", "；")) and not re.match(r"^\d+[.、]", flat)
