"""The standard tables this product reads, recognised by their printed titles.

Titles are matched after NFKC normalisation with whitespace and quotes removed, most specific
first (财政拨款收入支出决算总表 before 收入支出决算总表). The printed number (公开 01 表) is kept
but not trusted: regions number their tables differently.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ingest.amounts import normalise_cell
from ingest.model import ParsedTable
from ingest.tables.block import TableBlock
from ingest.tables.economic_groups import parse_economic_groups
from ingest.tables.header_grid import parse_header_grid
from ingest.tables.two_sided import parse_two_sided


@dataclass(frozen=True)
class TableFamily:
    code: str
    title_suffix: str
    name_en: str
    parse: Callable[[TableBlock, ParsedTable], None]


FAMILIES: tuple[TableFamily, ...] = (
    TableFamily("GK04", "财政拨款收入支出决算总表", "fiscal appropriation income and expenditure summary",
                parse_two_sided),
    TableFamily("GK01", "收入支出决算总表", "income and expenditure summary", parse_two_sided),
    TableFamily("GK08", "政府性基金预算财政拨款收入支出决算表", "government fund appropriation income and expenditure",
                parse_header_grid),
    TableFamily("GK06", "一般公共预算财政拨款基本支出决算表", "general budget basic expenditure by economic class",
                parse_economic_groups),
    TableFamily("GK07", "三公经费支出决算表", "'three public' expenses, budget and final", parse_header_grid),
    TableFamily("GK05", "一般公共预算财政拨款支出决算表", "general budget appropriation expenditure by function",
                parse_header_grid),
    TableFamily("GK02", "收入决算表", "income by function", parse_header_grid),
    TableFamily("GK03", "支出决算表", "expenditure by function", parse_header_grid),
)

QUOTES = re.compile(r"[\"“”'‘’「」]")


def family_for_title(title: str) -> TableFamily | None:
    flat = QUOTES.sub("", normalise_cell(title))
    for family in FAMILIES:
        if flat.endswith(family.title_suffix):
            return family
    return None
