"""Target declarations: 项目支出绩效目标申报表 / 绩效目标编报表 / 部门预算重点项目绩效目标表.

Each declares, for one project, indicators under 一级指标 (产出/效益/满意度) and 二级指标 (数量, 质量,
时效, 成本, 经济/社会/生态效益, 可持续影响, 服务对象满意度) with 指标内容 and 指标值 (the target).

Extraction shifts these cells freely (a 二级 name lands in the 一级 column, two 二级 names share a row,
a wrapped value drops to a row of its own), so cells are read by *vocabulary*, never by position: a
cell naming a known first- or second-level indicator opens it; the other cells of the row are the
indicator's content and, when there are two or more, the last is its target value. A lone value-like
cell on a row of its own completes the previous indicator's missing target. Targets carry no
weights or scores, so nothing here is summed; the target text is kept as printed and its number,
unit and comparison are parsed downstream (mart_performance_targets).
"""

from __future__ import annotations

import re

from ingest.amounts import lacks, normalise_cell
from ingest.model import Indicator, ParseIssue, PerformanceTable
from ingest.performance.grid import GridCell, tab_rows

TITLE = re.compile(r"绩效目标(申报|编报|填报)?表$")
_NO_TITLE_CHAR = lacks("表")  # TITLE ends in it: a line without it is no title
YEAR = re.compile(r"^\(?(20\d{2})年度?\)?$")
LEVEL1 = {"产出指标", "效益指标", "满意度指标"}
LEVEL2 = {"数量指标", "质量指标", "时效指标", "工作时效", "成本指标", "经济效益指标", "社会效益指标", "生态效益指标",
          "可持续影响", "可持续影响指标", "服务对象满意度指标", "满意度"}
LEVEL2_PARENT = {"经济效益指标": "效益指标", "社会效益指标": "效益指标", "生态效益指标": "效益指标",
                 "可持续影响": "效益指标", "可持续影响指标": "效益指标", "服务对象满意度指标": "满意度指标",
                 "满意度": "满意度指标"}
HEADER_CELLS = {"年度绩效指标", "绩效指标", "一级指标", "二级指标", "指标内容", "指标值", "目标值", "三级指标"}
VALUE_LIKE = re.compile(r"^(?:[≥≤><=]|不低于|不高于|至少|达到?|不超过)?\s*-?\d[\d,.]*\s*\S{0,4}$"
                        r"|^(?:不适用|无|优|良|合格)$")
PROJECT_LABEL = "项目名称"


def find_target_tables(lines: list[str]) -> list[PerformanceTable]:
    numbered = list(enumerate(lines, start=1))
    tables = []
    index = 0
    while index < len(numbered):
        line_no, text = numbered[index]
        if _NO_TITLE_CHAR(text):
            index += 1
            continue
        flat = normalise_cell(text.strip("\t #"))
        if "\t" in text.strip("\t") or not TITLE.search(flat) or "自评" in flat:
            index += 1
            continue
        body = _body(numbered, index + 1)
        if not body:
            index += 1
            continue
        year = next((m.group(1) for _, t in numbered[index + 1:index + 4] if (m := YEAR.search(normalise_cell(t)))),
                    None)  # the year targeted, printed under the title: often the report's next year
        title = text.strip("\t #") + (f"（{year}年度）" if year and year not in text else "")
        table = PerformanceTable(table_code=f"PERF_TARGET_{len(tables) + 1:02d}", kind="target_declaration",
                                 title=title, scope_name=None, first_line=line_no,
                                 last_line=body[-1][0])
        _read(table, body)
        tables.append(table)
        index = next(i for i, (n, _) in enumerate(numbered) if n == body[-1][0]) + 1
    return tables


def _body(numbered: list[tuple[int, str]], start: int) -> list[tuple[int, str]]:
    """Tab rows from the first one after the title to the next line of prose or the next title."""
    body: list[tuple[int, str]] = []
    for line_no, text in numbered[start:]:
        if "\t" in text:
            body.append((line_no, text))
        elif text.strip() and (body or TITLE.search(normalise_cell(text))):
            break
    return body


def _read(table: PerformanceTable, body: list[tuple[int, str]]) -> None:
    rows = tab_rows(body)
    in_indicators = False
    level1: Indicator | None = None
    level2: Indicator | None = None
    leaf: Indicator | None = None
    for row in rows:
        cells = row.filled()
        flats = [c.flat for c in cells]
        if not in_indicators:
            if PROJECT_LABEL in flats[:-1] and table.scope_name is None:
                table.scope_name = cells[flats.index(PROJECT_LABEL) + 1].text
            in_indicators = "一级指标" in flats
            continue
        rest: list[GridCell] = []
        for cell in cells:
            if cell.flat in HEADER_CELLS:
                continue
            if cell.flat in LEVEL1:
                level1 = _node(table, 1, (cell.flat,), cell)
                level2 = leaf = None
            elif cell.flat in LEVEL2:
                if level1 is None:  # the 一级 cell was lost: implied by the 二级 name
                    level1 = _node(table, 1, (LEVEL2_PARENT.get(cell.flat, "产出指标"),), cell, printed=False)
                level2 = _node(table, 2, (*level1.path, cell.flat), cell)
                leaf = None
            else:
                rest.append(cell)
        if not rest:
            continue
        if level2 is None:
            table.issues.append(ParseIssue(table.table_code, row.line_no,
                                           f"target '{rest[0].text}' has no 二级指标 above it"))
            continue
        if len(rest) == 1 and leaf is not None and not leaf.target_text and VALUE_LIKE.match(rest[0].flat):
            leaf.target_text = rest[0].text  # a wrapped target value printed on a row of its own
            continue
        content, target = (rest[:-1], rest[-1]) if len(rest) > 1 else (rest, None)
        name = " ".join(c.text for c in content)
        leaf = Indicator(level=3, path=(*level2.path, normalise_cell(name) or None), weight=None,
                         description=name, target_text=target.text if target else "", line_no=row.line_no)
        table.indicators.append(leaf)
    if not any(node.level == 3 for node in table.indicators):
        table.issues.append(ParseIssue(table.table_code, table.first_line,
                                       f"target declaration '{table.title}' holds no readable indicator"))


def _node(table: PerformanceTable, level: int, path: tuple[str, ...], cell: GridCell, printed: bool = True
          ) -> Indicator:
    """The node at ``path``, reused when the table already opened it (a 二级 name printed twice)."""
    existing = next((n for n in table.indicators if n.path == path), None)
    if existing is not None:
        return existing
    node = Indicator(level=level, path=path, weight=None, line_no=cell.line_no,
                     description="" if printed else "implied by its second-level indicator")
    table.indicators.append(node)
    return node
