"""A rendered report's standard tables (its unit, year and kind are read by ``ingest.metadata``)."""

from __future__ import annotations

import re

from ingest.amounts import UNIT_SCALE_TO_WAN, normalise_cell
from ingest.metadata import ORGANISATION_END, read_metadata
from ingest.model import ParsedDocument, ParsedTable, ParseIssue
from ingest.tables.block import TableBlock
from ingest.tables.catalog import family_for_title

_MARKER = re.compile(r"^公开\s*0?(\d{1,2})\s*表$")
# 单位：万元, 单位 ：元, 金额单位：人民币万元; any other text after 单位： is a unit this reader does not know
_UNIT_LINE = re.compile(r"单位\s*[:：]\s*(?:人民币)?\s*(万元|千元|亿元|元)")
_ANY_UNIT_LINE = re.compile(r"(?:金额|计量)?单位\s*[:：]\s*(\S{1,12})")
_DEPT_LINE = re.compile(
    r"^(?:部门|编制单位|编制部门|单位名称|部门名称|预算主管部门)(?:[(（]公章[)）])?[:：]\s*(.+?)\s*(?:单位[:：].*)?$"
)
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")
_NOTE = re.compile(r"^注[:：]")
_LOOKAHEAD = 6


def parse_report_text(text: str, file_name: str | None = None) -> ParsedDocument:
    """The report's standard tables, and its unit, year and kind as printed (``ingest.metadata``; the file
    name is read too when given)."""
    lines = text.split("\n")
    numbered = list(enumerate(lines, start=1))
    starts = _table_starts(numbered)
    metadata = read_metadata(lines, file_name)
    document = ParsedDocument(report_kind=metadata.report_kind, unit_name=metadata.unit_name,
                              fiscal_year=metadata.fiscal_year, metadata=metadata)
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
        unknown = _unknown_unit(block_lines)
        if unknown:  # the amounts' scale is not known: the table is held rather than published 1 万× off
            table.issues.append(ParseIssue(family.code, start, f"unit caption '{unknown}' not understood "
                                           "(万元, 元, 千元 or 亿元 expected): amounts cannot be scaled", unknown))
        try:
            family.parse(block, table)
        except Exception as exc:  # a parser bug must not lose the rest of the report
            table.issues.append(ParseIssue(family.code, start, f"parser failed: {type(exc).__name__}: {exc}"))
        table.notes = block.notes()
        document.tables.append(table)
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


def _unknown_unit(block_lines) -> str | None:
    """The text of a money unit caption (单位：…) above the table's rows that names no unit this reader knows."""
    for _, text in block_lines:
        if "\t" in text:
            return None
        flat = normalise_cell(text)
        match = _ANY_UNIT_LINE.search(flat)
        # a 单位： caption naming an organisation (单位：示例市财政局) is no money unit
        if match and not _UNIT_LINE.search(flat) and not ORGANISATION_END.search(match.group(1)):
            return match.group(0)
    return None


def _printed_unit(block_lines) -> str:
    for _, text in block_lines:
        match = _UNIT_LINE.search(text)
        if match and match.group(1) in UNIT_SCALE_TO_WAN:
            return match.group(1)
    return "万元"
