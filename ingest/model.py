"""Value objects shared by the readers, the parsers and the raw-layer loader."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Cell:
    """One printed amount with everything needed to find it again in the source."""

    table_code: str  # standard table id, e.g. GK06
    row_label: str  # the row's printed label (code rows: the 科目名称)
    row_code: str | None  # 功能/经济分类科目编码 when the row carries one
    row_number: int | None  # 行次 when the table prints one
    side: str | None  # income | expenditure for two-sided tables
    column_path: str  # header path, '/'-joined, e.g. 本年支出/基本支出
    column_number: int | None  # 栏次
    value_text: str  # the cell as printed
    amount: float  # in the printed unit
    line_no: int  # 1-based line in the text file (or page number for PDFs)


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
