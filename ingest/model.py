"""Value objects shared by the readers, the parsers and the raw-layer loader."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from functools import cache
from operator import attrgetter


@dataclass(slots=True)
class Cell:
    """One printed amount with everything needed to find it again in the source.

    Not frozen: a parse builds one per printed amount, and a frozen dataclass takes 2.5× as long to build."""

    table_code: str  # standard table id, e.g. GK06
    row_label: str  # the row's printed label (code rows: the 科目名称)
    row_code: str | None  # 功能/经济分类科目编码 when the row carries one
    row_number: int | None  # 行次 when the table prints one
    side: str | None  # income | expenditure for two-sided tables
    column_path: str  # header path, '/'-joined, e.g. 本年支出/基本支出
    column_number: int | None  # 栏次
    value_text: str  # the cell as printed
    amount: float  # in the printed unit
    line_no: int  # 1-based line of the report's rendering (the text file itself for text reports)
    unit: str | None = None  # the cell's own unit when it differs from the table's (%, 个, 人)
    position: int | None = None  # 0-based cell position in its row (for the cell's box on a PDF page)


@dataclass(slots=True)
class ParseIssue:
    """Something the parser could not read; kept so nothing is silently dropped."""

    table_code: str | None
    line_no: int | None
    message: str
    line_text: str = ""


@dataclass(slots=True)
class ParsedTable:
    table_code: str
    title: str
    printed_number: str | None
    printed_unit: str  # 万元 or 元
    first_line: int
    last_line: int
    cells: list[Cell] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    issues: list[ParseIssue] = field(default_factory=list)


@dataclass(slots=True)
class ParsedDocument:
    report_kind: str  # final_accounts | budget | performance | unknown
    unit_name: str | None
    fiscal_year: int | None
    tables: list[ParsedTable] = field(default_factory=list)
    issues: list[ParseIssue] = field(default_factory=list)
    metadata: object | None = None  # ingest.metadata.DocumentMetadata: every reading and where it came from


@dataclass(slots=True)
class Indicator:
    """One node of a performance indicator tree (一级/二级/三级指标), as printed."""

    level: int  # 1, 2 or 3
    path: tuple[str | None, ...]  # names from level 1 down to this node; None where the source prints none
    weight: float | None  # 分值/权重/参考分值
    weight_text: str = ""
    score: float | None = None  # 得分 (printed at the third level; None where the table prints none)
    score_text: str = ""
    description: str = ""  # 指标说明 / 指标内容
    scoring_standard: str = ""  # 评分标准
    target_text: str = ""  # 年度指标值 / 目标值, as printed
    actual_text: str = ""  # 实际完成值, as printed
    deviation_reason: str = ""  # 偏差原因分析及改进措施
    line_no: int = 0


@dataclass(slots=True)
class PerformanceTable:
    """A score table, an indicator framework, a self-evaluation form or a target declaration."""

    table_code: str  # PERF_DEPT, PERF_PROJ_01, PERF_SELF_01, PERF_FRAME, PERF_TARGET_01
    kind: str  # department_score | project_score | indicator_framework | project_self_evaluation | target_declaration
    title: str
    scope_name: str | None  # the project for project tables; None for the whole department
    first_line: int
    last_line: int
    stated_total: float | None = None  # 总分 / 合计 / the total quoted beside the table
    stated_total_line: int | None = None
    stated_weight_total: float | None = None
    indicators: list[Indicator] = field(default_factory=list)
    issues: list[ParseIssue] = field(default_factory=list)


def as_row(record, **extra) -> dict:
    """A dataclass record as a flat dict of its fields, then ``extra`` (``dataclasses.asdict`` deep-copies every
    value, which was 40 % of a report's parse)."""
    names, values = _fields_reader(type(record))
    return dict(zip(names, values(record), strict=True), **extra)


@cache
def _fields_reader(kind: type) -> tuple[tuple[str, ...], Callable[[object], tuple]]:
    """The field names of a dataclass, and a function reading their values as a tuple."""
    names = tuple(f.name for f in fields(kind))
    if len(names) == 1:  # attrgetter of one name gives the value, not a tuple
        return names, lambda record: (getattr(record, names[0]),)
    return names, attrgetter(*names)
