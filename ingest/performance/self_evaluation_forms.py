"""预算支出绩效自评表 / 项目支出绩效自评表: the Ministry of Finance's project self-evaluation form.

One form per project, in two blocks:

* funds (项目资金): 年初预算数, 全年预算数, 全年执行数, 分值, 执行率, 得分 for 年度资金总额 and its
  sources (当年财政拨款, 上年结转资金, 其他资金). The amounts become a BUD_PROJECT table (phases
  approved / adjusted / executed); the 分值 and 得分 of 年度资金总额 become the first-level indicator
  预算执行率 of the score tree, because the form's 总分 counts them;
* indicators (绩效指标): 一级 (its weight embedded, 产出指标（50分）), 二级, 三级, 年度指标值,
  实际完成值, 分值, 得分, 偏差原因分析及改进措施.

Unlike the free-form score tables these forms are read by *column position*, which is safe only when
the layout keeps empty cells: the cell-per-line (DOCX) layout does; a tab row whose width differs
from its header's makes the form unrecoverable rather than risk shifting a score onto another
indicator. Weights and scores that parse but do not add up are left to the integrity rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.amounts import lacks
from ingest.model import Cell, Indicator, ParsedTable, ParseIssue, PerformanceTable
from ingest.performance.budget_tables import read_value
from ingest.performance.grid import GridCell, GridRow, cells_per_line, chunk, is_cell_per_line, tab_rows
from ingest.performance.score_tables import EMBEDDED_WEIGHT, NUMBER, TOTAL_LABELS, read_total_row

TITLE = re.compile(r"^(?:附件[\d-]*[:：]?)?(?:预算|项目)?(?:支出)?绩效自评表$")
_NO_TITLE_CHAR = lacks("表")  # TITLE ends in it: a line without it is no title
FORM_END = re.compile(r"^\s*(填表人|附件\s*\d)")
ROW_GROUP_LABELS = ("绩效指标", "年度绩效指标")
INDICATOR_HEADER = re.compile(r"^(一级指标|二级指标|三级指标|(年度)?指标值|(实际)?完成值|分值|权重|得分|自评得分|"
                              r"偏差原因.*|备注)$")
FUNDS_HEADER = re.compile(r"^(年初预算数|全年预算数|全年执行数|分值|执行率|得分)$")
FUNDS_TOTAL = "年度资金总额"
PLACEHOLDERS = {"……", "......", "...", "…"}  # template filler rows
EXECUTION_INDICATOR = "预算执行率"


@dataclass(slots=True)
class SelfEvaluationForm:
    score_table: PerformanceTable
    funds: ParsedTable


def find_self_evaluation_forms(lines: list[str]) -> list[SelfEvaluationForm]:
    numbered = list(enumerate(lines, start=1))
    starts = [i for i, (_, text) in enumerate(numbered) if not _NO_TITLE_CHAR(text) and "\t" not in text.strip("\t ")
              and TITLE.match(re.sub(r"\s+", "", text.strip("\t #")))]
    forms = []
    for number, start in enumerate(starts, start=1):
        stop = starts[number] if number < len(starts) else len(numbered)
        end = next((i for i in range(start + 1, stop) if FORM_END.match(numbered[i][1])), stop)
        forms.append(_read_form(numbered[start:end], number))
    return forms


def _read_form(block: list[tuple[int, str]], number: int) -> SelfEvaluationForm:
    title_line, title = block[0][0], block[0][1].strip("\t #")
    code = f"{number:02d}"
    rows = _rows(block)
    project = _labelled_value(rows, ("项目支出名称", "项目名称"))
    table = PerformanceTable(table_code=f"PERF_SELF_{code}", kind="project_self_evaluation", title=title,
                             scope_name=project or f"自评表{code}", first_line=title_line,
                             last_line=block[-1][0])
    funds = ParsedTable(table_code=f"BUD_PROJECT_{code}", title=f"{title}：{project or ''}", printed_number=None,
                        printed_unit="万元", first_line=title_line, last_line=block[-1][0])
    _read_funds(rows, table, funds, project)
    _read_indicators(rows, table)
    return SelfEvaluationForm(table, funds)


def _rows(block: list[tuple[int, str]]) -> list[GridRow]:
    """Rows of the form. In the cell-per-line layout rows are rebuilt per block from its header's
    width: the funds block from 项目资金 to 年度总体目标, the indicator block from its header to 总分."""
    if not is_cell_per_line(block):
        return tab_rows(block)
    cells = cells_per_line(block)
    rows: list[GridRow] = []
    index = 0
    while index < len(cells):
        width, stop = _block_extent(cells, index)
        if width:
            rows.extend(chunk(cells[index:stop], width))
            index = stop
        elif cells[index].flat.startswith(TOTAL_LABELS):  # 总分 and its figures close the form
            rows.append(GridRow(cells[index].line_no, cells[index:]))
            break
        else:
            rows.append(GridRow(cells[index].line_no, [cells[index]]))
            index += 1
    return rows


def _block_extent(cells: list[GridCell], index: int) -> tuple[int, int]:
    """(header width, end) when a header row starts at ``index``, else (0, index)."""
    flat = cells[index].flat
    if flat.startswith("项目资金"):
        header_end = _last_matching(cells, index + 1, FUNDS_HEADER, allow_blank_lead=True)
        end_words = ("年度总体目标", "年度总", "绩效指标")
    elif flat in ROW_GROUP_LABELS and index + 1 < len(cells) and cells[index + 1].flat == "一级指标":
        header_end = _last_matching(cells, index + 1, INDICATOR_HEADER)
        end_words = TOTAL_LABELS
    elif flat == "一级指标":
        header_end = _last_matching(cells, index, INDICATOR_HEADER)
        end_words = TOTAL_LABELS
    else:
        return 0, index
    if header_end is None:
        return 0, index
    width = header_end - index + 1
    stop = next((i for i in range(header_end + 1, len(cells)) if cells[i].flat.startswith(end_words)), len(cells))
    stop = header_end + 1 + (stop - header_end - 1) // width * width  # whole rows only; the rest reads on
    return width, stop


def _last_matching(cells: list[GridCell], start: int, header: re.Pattern, allow_blank_lead: bool = False
                   ) -> int | None:
    last = None
    for i in range(start, len(cells)):
        if header.match(cells[i].flat):
            last = i
        elif not (allow_blank_lead and last is None and not cells[i].flat):
            break
    return last


def _labelled_value(rows: list[GridRow], labels: tuple[str, ...]) -> str | None:
    """The cell printed after a label cell (项目名称 → the project), across rows."""
    filled = [cell for row in rows for cell in row.filled()]
    return next((filled[i + 1].text for i, cell in enumerate(filled[:-1]) if cell.flat in labels), None)


def _header_index(rows: list[GridRow], word: str) -> int | None:
    return next((i for i, row in enumerate(rows) if any(c.flat == word for c in row.cells)), None)


def _fail(table: PerformanceTable, line_no: int, reason: str) -> None:
    if not table.issues:
        table.issues.append(ParseIssue(
            table.table_code, line_no,
            f"self-evaluation form '{table.scope_name}' cannot be recovered: {reason} (line {line_no}); "
            "its scores are held back rather than risk pairing an indicator with the wrong score"))


def _read_funds(rows: list[GridRow], table: PerformanceTable, funds: ParsedTable, project: str | None) -> None:
    at = _header_index(rows, "年初预算数")
    if at is None:
        return
    header = [c.flat for c in rows[at].cells]
    for row in rows[at + 1:]:
        flats = [c.flat for c in row.cells]
        if any(f.startswith(("年度总体目标", "年度总")) or f == "一级指标" for f in flats):
            break
        if len(flats) != len(header):
            _fail(table, row.line_no, f"funds row has {len(flats)} cells, its header {len(header)}")
            return
        label = next((c.flat for c, h in zip(row.cells, header, strict=True) if c.flat and not FUNDS_HEADER.match(h)),
                     "")
        if not label:
            continue
        values = {h: c for c, h in zip(row.cells, header, strict=True) if FUNDS_HEADER.match(h) and c.flat}
        for path, cell in values.items():
            parsed = read_value(cell.text, path)
            if parsed is None:
                funds.issues.append(ParseIssue(funds.table_code, cell.line_no,
                                               f"expected an amount in column '{path}' of row '{label}', "
                                               f"found '{cell.text}'", cell.text))
            elif path not in ("分值", "得分"):
                funds.cells.append(Cell(table_code=funds.table_code, row_label=label, row_code=None,
                                        row_number=None, side=None, column_path=path,
                                        column_number=header.index(path) + 1, value_text=cell.text,
                                        amount=parsed[0], line_no=row.line_no, unit=parsed[1]))  # rows align by line
        if label == FUNDS_TOTAL and "分值" in values:
            weight, score = values["分值"], values.get("得分")
            if not NUMBER.match(weight.flat) or (score is not None and not NUMBER.match(score.flat)):
                _fail(table, row.line_no, f"分值/得分 of {FUNDS_TOTAL} are not numbers")
                return
            rate = values.get("执行率")
            table.indicators.append(Indicator(
                level=1, path=(EXECUTION_INDICATOR,), weight=float(weight.flat), weight_text=weight.text,
                score=float(score.flat) if score is not None else None, score_text=score.text if score else "",
                description=f"{project or ''} {FUNDS_TOTAL}执行率", actual_text=rate.text if rate else "",
                line_no=row.line_no))


def _read_indicators(rows: list[GridRow], table: PerformanceTable) -> None:
    at = _header_index(rows, "一级指标")
    if at is None:
        _fail(table, table.first_line, "no 一级指标 header")
        return
    header = [c.flat for c in rows[at].cells]
    column = {role: next((i for i, h in enumerate(header) if re.match(pattern, h)), None) for role, pattern in (
        ("level1", "一级指标"), ("level2", "二级指标"), ("level3", "三级指标"), ("target", r"(年度)?指标值"),
        ("actual", r"(实际)?完成值"), ("weight", "(分值|权重)"), ("score", "(自评)?得分"), ("reason", "偏差原因"))}
    if column["level3"] is None or column["weight"] is None or column["score"] is None:
        _fail(table, rows[at].line_no, "the header names no 三级指标, 分值 or 得分 column")
        return
    open_nodes: dict[int, Indicator] = {}
    for row in rows[at + 1:]:
        if row.filled() and row.filled()[0].flat.startswith(TOTAL_LABELS):
            read_total_row(table, row.filled())
            break
        if len(row.cells) != len(header):
            _fail(table, row.line_no, f"row has {len(row.cells)} cells, its header {len(header)}")
            return
        cell = {role: (row.cells[i] if i is not None else None) for role, i in column.items()}
        for level in (1, 2):
            named = cell[f"level{level}"]
            if named is not None and named.flat:
                name, weight = _name_and_weight(named)
                parent = open_nodes[level - 1].path if level > 1 and (level - 1) in open_nodes else ()
                if level > 1 and not parent:
                    _fail(table, row.line_no, f"二级指标 {name} has no 一级指标 above it")
                    return
                node = Indicator(level=level, path=(*parent, name), weight=weight,
                                 weight_text=named.text if weight is not None else "", line_no=named.line_no)
                table.indicators.append(node)
                open_nodes[level] = node
                open_nodes.pop(level + 1, None)
        if not _leaf(row, cell, open_nodes, table):
            return


def _leaf(row: GridRow, cell: dict[str, GridCell | None], open_nodes: dict[int, Indicator],
          table: PerformanceTable) -> bool:
    name = cell["level3"].flat if cell["level3"] is not None else ""
    weight, score = cell["weight"], cell["score"]
    texts = {role: cell[role].text if cell[role] is not None else "" for role in ("target", "actual", "reason")}
    if name in PLACEHOLDERS:
        name = ""
    if not name and not weight.flat and not score.flat:
        if 2 in open_nodes and texts["target"]:  # a second-level indicator marked 不适用, with no third level
            open_nodes[2].target_text, open_nodes[2].actual_text = texts["target"], texts["actual"]
        return True
    for value in (weight, score):
        if value.flat and not NUMBER.match(value.flat):
            _fail(table, row.line_no, f"expected a number in 分值/得分 of {name or '(unnamed)'}, found '{value.text}'")
            return False
    if 2 not in open_nodes:
        _fail(table, row.line_no, f"三级指标 {name or '(unnamed)'} has no 二级指标 above it")
        return False
    table.indicators.append(Indicator(
        level=3, path=(*open_nodes[2].path, name or None),
        weight=float(weight.flat) if weight.flat else None, weight_text=weight.text,
        score=float(score.flat) if score.flat else None, score_text=score.text,
        target_text=texts["target"], actual_text=texts["actual"], deviation_reason=texts["reason"],
        line_no=row.line_no))
    return True


def _name_and_weight(cell: GridCell) -> tuple[str, float | None]:
    match = EMBEDDED_WEIGHT.match(cell.flat)
    if match:
        return match.group("name"), float(match.group("weight"))
    return cell.flat, None


