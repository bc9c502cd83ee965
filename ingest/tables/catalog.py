"""The standard tables this product reads, recognised by their printed titles.

Titles are matched after NFKC normalisation with whitespace and quotes removed, most specific
first (财政拨款收入支出决算总表 before 收入支出决算总表), against the end of the title: a year or a
unit printed before it (2023年部门…) does not matter. The printed number (公开 01 表) is kept but not
trusted: regions number their tables differently.

部门预算 tables share the families of 决算 tables (the same shape, phase 年初预算 from the document):
收支预算总表 reads like 公开01, 收入/支出预算总表 like 公开02/03, 财政拨款收支预算总表 like 公开04, and
so on, so the same integrity rules apply to them. Tables only budgets print have their own codes (BGT_…).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from ingest.amounts import lacks, normalise_cell
from ingest.model import ParsedTable
from ingest.tables.block import TableBlock
from ingest.tables.economic_groups import parse_economic_groups
from ingest.tables.header_grid import parse_header_grid
from ingest.tables.two_sided import parse_two_sided


@dataclass(frozen=True)
class TableFamily:
    code: str
    title_pattern: str  # regular expression matched at the end of the flattened title
    name_en: str
    parse: Callable[[TableBlock, ParsedTable], None]


FAMILIES: tuple[TableFamily, ...] = (
    # 决算 (公开01–09)
    TableFamily("GK04", "财政拨款收入支出决算总表", "fiscal appropriation income and expenditure summary",
                parse_two_sided),
    TableFamily("GK01", "收入支出决算总表", "income and expenditure summary", parse_two_sided),
    TableFamily("GK09", "国有资本经营预算财政拨款(收入)?支出决算表", "state capital operation appropriation",
                parse_header_grid),
    TableFamily("GK08", "政府性基金预算财政拨款收入支出决算表", "government fund appropriation income and expenditure",
                parse_header_grid),
    TableFamily("GK06", "一般公共预算财政拨款基本支出决算表", "general budget basic expenditure by economic class",
                parse_economic_groups),
    TableFamily("GK07", "三公经费(财政拨款)?支出决算表", "'three public' expenses, budget and final",
                parse_header_grid),
    TableFamily("GK05", "一般公共预算财政拨款支出决算表", "general budget appropriation expenditure by function",
                parse_header_grid),
    TableFamily("GK02", "收入决算表", "income by function", parse_header_grid),
    TableFamily("GK03", "支出决算表", "expenditure by function", parse_header_grid),
    # 部门预算 (Shanghai 1–9, Jiangsu 1–12 and their like)
    TableFamily("GK04", "财政拨款收支(预算)?总表", "fiscal appropriation income and expenditure budget",
                parse_two_sided),
    TableFamily("GK01", "(财务)?收支(预算)?总表", "income and expenditure budget summary", parse_two_sided),
    TableFamily("GK02", "收入(预算总?|总)表", "income budget", parse_header_grid),
    TableFamily("GK03", "支出(预算)?总表", "expenditure budget", parse_header_grid),
    TableFamily("GK09", "国有资本经营预算支出(功能分类)?(预算)?表", "state capital operation budget by function",
                parse_header_grid),
    TableFamily("GK08", "政府性基金(预算)?(财政拨款)?支出(功能分类)?(预算)?表", "government fund budget by function",
                parse_header_grid),
    TableFamily("GK06", "一般公共预算基本支出(部门预算)?(经济分类)?(预算)?表",
                "general budget basic expenditure by economic class", parse_economic_groups),
    TableFamily("BGT_OPERATING", "机关运行经费支出预算表", "government office running costs by economic class",
                parse_economic_groups),
    TableFamily("GK07", "三公经费(.*预算|(财政拨款)?支出)表", "'three public' expenses budget", parse_header_grid),
    TableFamily("GK05", "一般公共预算支出(功能分类)?(预算)?表", "general budget expenditure by function",
                parse_header_grid),
    TableFamily("BGT_APPROP_BASIC", "财政拨款基本支出预算表", "appropriation basic expenditure by economic class",
                parse_economic_groups),
    TableFamily("BGT_APPROP", "财政拨款支出预算表", "appropriation expenditure by function", parse_header_grid),
    TableFamily("BGT_PROCUREMENT", "政府采购(支出)?预算表", "government procurement budget", parse_header_grid),
)

QUOTES = re.compile(r"[\"“”'‘’「」]")


# a qualifier printed after the title: （功能科目）, （一般公共预算）, (经济分类), （续表）
_QUALIFIER = re.compile(r"(?:[(（][^()（）]{1,12}[)）]|续表?)$")


@lru_cache(maxsize=1 << 12)
def family_for_title(title: str) -> TableFamily | None:
    """The family a printed title names (cached: every report of a kind prints the same titles and markers)."""
    if _NO_TITLE_END(title):  # no pattern can match
        return None
    flat = QUOTES.sub("", normalise_cell(title))
    if len(flat) > 60:
        return None
    for candidate in (flat, _QUALIFIER.sub("", flat)):
        if not may_end_in_title(candidate):
            continue  # most lines of a report are prose, not titles
        for family, pattern in _COMPILED:
            if pattern.search(candidate):
                return family
    return None


_COMPILED = [(family, re.compile(f"(?:{family.title_pattern})$")) for family in FAMILIES]
_TITLE_END = "表"  # every family's title pattern ends in this character (checked below)
_NO_TITLE_END = lacks(_TITLE_END)
if not all(f.title_pattern.endswith(_TITLE_END) for f in FAMILIES):
    raise ValueError(f"family_for_title skips lines without {_TITLE_END}: every title pattern must end in it")


def may_end_in_title(text: str) -> bool:
    """False when no family's ``(?:title_pattern)$`` can match ``text``: it does not end in 表 (``$`` also
    matches before a final newline). A cheap test before the patterns: most lines are no title."""
    return text.endswith(_TITLE_END) or text.endswith(_TITLE_END + "\n")
