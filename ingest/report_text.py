"""A text report (UTF-8 extracted from PDF): its kind, unit, year and standard tables."""

from __future__ import annotations

import re
from collections import Counter

from ingest.amounts import UNIT_SCALE_TO_WAN, normalise_cell
from ingest.model import ParsedDocument, ParsedTable, ParseIssue
from ingest.tables.block import TableBlock
from ingest.tables.catalog import family_for_title

_MARKER = re.compile(r"^公开\s*0?(\d{1,2})\s*表$")
_UNIT_LINE = re.compile(r"单位[:：]\s*(万元|元|千元|亿元)")
_DEPT_LINE = re.compile(
    r"^(?:部门|编制单位|编制部门|单位名称|部门名称|预算主管部门)(?:[(（]公章[)）])?[:：]\s*(.+?)\s*(?:单位[:：].*)?$"
)
# 2024年度部门决算, 2017 年度部门预算, 2023年区级部门预算
_YEAR_KIND = re.compile(r"(20\d{2})\s*年度?\s*(?:[区市县省州]级)?\s*(?:部门|单位)?\s*(决算|预算)")
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")
_NOTE = re.compile(r"^注[:：]")
_LOOKAHEAD = 6


def parse_report_text(text: str) -> ParsedDocument:
    lines = text.split("\n")
    numbered = list(enumerate(lines, start=1))
    starts = _table_starts(numbered)
    document = ParsedDocument(report_kind=_report_kind(lines, starts), unit_name=None, fiscal_year=_year(lines))
    for index, (start, family, marker) in enumerate(starts):
        limit = starts[index + 1][0] - 1 if index + 1 < len(starts) else len(lines)
        block_lines = _block_lines(numbered, start, limit)
        block = TableBlock(family.code, lines[start - 1].strip(), marker, block_lines)
        table = ParsedTable(
            table_code=family.code,
            title=block.title,
            printed_number=marker,
            printed_unit=_printed_unit(block_lines),
            first_line=start,
            last_line=block_lines[-1][0] if block_lines else start,
        )
        try:
            family.parse(block, table)
        except Exception as exc:  # a parser bug must not lose the rest of the report
            table.issues.append(ParseIssue(family.code, start, f"parser failed: {type(exc).__name__}: {exc}"))
        table.notes = block.notes()
        document.tables.append(table)
    document.unit_name = _unit_name(lines)
    if not starts:
        document.issues.append(ParseIssue(None, None, "no recognisable standard table (公开01–08 titles) found"))
    return document


def _table_starts(numbered: list[tuple[int, str]]) -> list[tuple[int, object, str | None]]:
    """Title lines of standard tables: a known title followed by a 公开NN表 marker or a 单位 caption."""
    starts = []
    for i, (line_no, text) in enumerate(numbered):
        stripped = text.strip()
        if not stripped or "\t" in text or len(stripped) > 60:
            continue
        family = family_for_title(stripped)
        if family is None and i + 1 < len(numbered) and len(numbered[i + 1][1].strip()) <= 2:
            # a centred title wrapped before its last character (…支出预算 / 表)
            family = family_for_title(stripped + numbered[i + 1][1].strip())
        if family is None:
            continue
        following = [t.strip() for _, t in numbered[i + 1:i + 1 + _LOOKAHEAD * 2] if t.strip()][:_LOOKAHEAD]
        marker = next((t for t in following if _MARKER.match(normalise_cell(t).replace("公开", "公开 "))), None)
        has_caption = any(_UNIT_LINE.search(t) or _DEPT_LINE.match(t) for t in following)
        if marker or has_caption:
            starts.append((line_no, family, marker))
    starts = [start for k, start in enumerate(starts) if not _listed_in_contents(numbered, starts, k)]
    # a title printed again over the continuation of its table on the next page starts nothing new
    return [start for k, start in enumerate(starts)
            if k == 0 or _flat_title(numbered, start) != _flat_title(numbered, starts[k - 1])]


def _flat_title(numbered: list[tuple[int, str]], start) -> str:
    return normalise_cell(numbered[start[0] - 1][1])


def _listed_in_contents(numbered: list[tuple[int, str]], starts, k: int) -> bool:
    """A title followed, within three lines and before any table row, by the next title: an entry of a
    目录 (table of contents), not a table."""
    if k + 1 >= len(starts):
        return False
    between = [text for line_no, text in numbered[starts[k][0]:starts[k + 1][0] - 1] if text.strip()]
    return len(between) <= 2 and not any("\t" in text for text in between)


def _block_lines(numbered, start: int, limit: int) -> list[tuple[int, str]]:
    """Lines of one table: from its title to a 注 line, a narrative heading, or the next table."""
    block = []
    seen_rows = False
    for line_no, text in numbered[start - 1:limit]:
        stripped = text.strip()
        if seen_rows and "\t" not in text and _NOTE.match(stripped):
            block.append((line_no, text))  # the table's own note (…故本表为空表) stays with it
            break
        if seen_rows and "\t" not in text and _HEADING.match(stripped):
            break
        seen_rows = seen_rows or "\t" in text
        block.append((line_no, text))
    return block


def _printed_unit(block_lines) -> str:
    for _, text in block_lines:
        match = _UNIT_LINE.search(text)
        if match and match.group(1) in UNIT_SCALE_TO_WAN:
            return match.group(1)
    return "万元"


def _report_kind(lines: list[str], starts) -> str:
    head = normalise_cell("".join(lines[:60]))
    if starts:
        match = next((m for m in map(_YEAR_KIND.search, lines[:80]) if m), None)
        return "budget" if match and match.group(2) == "预算" else "final_accounts"
    if "绩效" in head and ("自评" in head or "评价" in head):
        return "performance"
    if "部门决算" in head or "单位决算" in head:
        return "final_accounts"
    if "部门预算" in head or "单位预算" in head:
        return "budget"
    return "unknown"


def _year(lines: list[str]) -> int | None:
    for line in lines[:80]:
        match = _YEAR_KIND.search(line)
        if match:
            return int(match.group(1))
    for line in lines[:40]:
        match = re.search(r"(20\d{2})\s*年", line)
        if match:
            return int(match.group(1))
    # self-evaluation forms print the year evaluated as （2020 年度） on each form
    years = Counter(m.group(1) for line in lines for m in re.finditer(r"(20\d{2})\s*年度", line))
    return int(years.most_common(1)[0][0]) if years else None


def _unit_name(lines: list[str]) -> str | None:
    captions = Counter()
    for text in lines:
        match = _DEPT_LINE.match(text.strip())
        if match:
            captions[normalise_cell(match.group(1))] += 1
    if captions:
        return captions.most_common(1)[0][0]
    for index, text in enumerate(lines[:-1]):  # cell-per-line forms: the label cell, then the value cell
        if normalise_cell(text) in ("主管部门", "填报单位", "单位名称", "部门名称", "预算单位"):
            value = normalise_cell(lines[index + 1])
            if lines[index + 1].startswith("\t") and value and len(value) <= 40:
                captions[value] += 1
    if captions:
        return captions.most_common(1)[0][0]
    for text in lines[:10]:
        flat = normalise_cell(text)
        if flat and not re.search(r"\d", flat) and len(flat) <= 40:
            return flat
    return None
