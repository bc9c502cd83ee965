"""A document's unit, year and kind, read from every place they are printed, with where each came from.

Every reading is a ``Candidate`` (field, value, source, first line, how often); ``choose`` picks one value
per field by a fixed precedence of sources and keeps the others, so a disagreement is recorded, never lost.

Sources read from the document itself (``read_metadata``):

- ``caption``     部门：/单位：/编制部门：/编制单位：/预算主管部门：/预算单位：/单位名称：/部门名称： … at the start
                  of a line or cell or right after a table title (收支预算总表部门：X单位：万元); a caption whose
                  name wraps onto a short line of its own is joined to it.
- ``title``       the title block at the top of the document (cover or first page): its lines joined across
                  wraps, then read as <unit><year>年度<部门预算> or <year>年度<unit><预算公开>; a title naming a
                  region's report (上海市普陀区2025年区级部门预算) names no unit.
- ``table_title`` the standard tables' titles (ingest.tables.catalog): the name printed before the table's
                  name (2018年度江苏省高级人民法院收支预算总表), the year, and 预算/决算 of the table's name.
- ``label_cell``  forms printing the label in one cell and the unit in the next (主管部门 | 深圳市…).
- ``cover``       the first lines: the first year printed, and kind words (部门决算, 单位预算, 绩效自评 …).
- ``file_name``   the file's name read like a title; a two-digit year (25年预算) is 20NN only when 年 and a
                  report word follow it, and only a four-digit year elsewhere (_2024_) is read without 年.
- ``body``        the year printed most often as 20NN年度 (self-evaluation forms print （2020 年度） on each form).

Two more come from outside the document (``ingest.report_resolution``): ``manifest`` (a scraper's
``manifest.csv``) and ``companion`` (the other file of a report split into a narrative and a table file).

Precedence (the first source with a value wins; a unit name another trusted reading extends — the same name
cut where it wrapped — is replaced by the longer one):

    unit:  manifest > caption > table_title > title > label_cell > file_name > companion
    year:  manifest > title > table_title > cover > file_name > body > companion
    kind:  manifest > title > table_title > cover > file_name > companion

A document is a draft when its title block, cover lines or file name say so (草稿, 征求意见稿, 送审稿, 讨论稿,
初稿, draft); the body is not read for it (a report may cite a 征求意见稿).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import PurePath

from ingest.amounts import normalise_cell
from ingest.tables.catalog import FAMILIES, QUOTES, may_end_in_title

FIELDS = ("unit", "year", "kind", "draft")
PRECEDENCE: dict[str, tuple[str, ...]] = {
    "unit": ("manifest", "caption", "table_title", "title", "label_cell", "file_name", "companion"),
    "year": ("manifest", "title", "table_title", "cover", "file_name", "body", "companion", "note"),
    "kind": ("manifest", "title", "table_title", "cover", "file_name", "companion", "note"),
    "draft": ("manifest", "title", "cover", "file_name"),
}
# readings of a unit name trusted enough to replace a chosen name they extend (a name cut where it wrapped)
_EXTENDING_SOURCES = ("caption", "table_title", "title", "label_cell")
KINDS = ("budget", "final_accounts", "performance")

HEAD_LINES = 40  # the cover and first page: title block, cover year and kind words, draft marks
TITLE_BLOCK_LINES = 6
_MAX_NAME = 40
_MAX_TITLE_LINE = 40


@dataclass(frozen=True, slots=True)
class Candidate:
    """One reading of one field: its value as text, where it was read, and how often the document prints it."""

    field: str  # unit | year | kind | draft
    value: str  # unit name; year as digits; budget | final_accounts | performance; 'true' for a draft mark
    source: str  # caption | title | table_title | label_cell | cover | file_name | body | manifest | companion
    line_no: int | None  # first line it was read on (None: file name, manifest, companion)
    evidence: str  # the printed text it was read from (shortened)
    count: int = 1


@dataclass(slots=True)
class DocumentMetadata:
    unit_name: str | None = None
    fiscal_year: int | None = None
    report_kind: str = "unknown"  # budget | final_accounts | performance | unknown
    is_draft: bool = False
    unit_source: str | None = None
    year_source: str | None = None
    kind_source: str | None = None
    draft_source: str | None = None
    conflicts: list[str] = field(default_factory=list)  # 'unit: X (caption) / Y (file_name)' …
    candidates: list[Candidate] = field(default_factory=list)
    year_problem: str | None = None  # why the year read cannot be filed without a manifest entry (plausible_year)

    @property
    def conflict_text(self) -> str | None:
        return "; ".join(self.conflicts) or None


def read_metadata(lines: list[str], file_name: str | None = None) -> DocumentMetadata:
    """Unit, year, kind and draft flag of one document from its rendered lines and its file name."""
    candidates = document_candidates(lines)
    if file_name:
        candidates += file_name_candidates(file_name)
    return choose(candidates)


def document_candidates(lines: list[str]) -> list[Candidate]:
    found: list[Candidate] = []
    found += _caption_candidates(lines)
    found += _title_candidates(lines)
    found += _table_title_candidates(lines)
    found += _label_cell_candidates(lines)
    found += _cover_candidates(lines)
    found += _body_candidates(lines)
    return _merged(_settle_title(found))


def file_name_candidates(file_name: str) -> list[Candidate]:
    """What a file name says: 2017年省检察院部门预算.pdf, 上海市财政局25年预算.pdf, x_2024_juesuan.pdf."""
    stem = normalise_cell(PurePath(file_name).stem)
    found: list[Candidate] = []
    reading = _read_title(stem, two_digit_years=True)
    if reading.unit:
        found.append(Candidate("unit", reading.unit, "file_name", None, file_name))
    year = reading.year or _bare_year(stem)
    if year:
        found.append(Candidate("year", str(year), "file_name", None, file_name))
    kind = reading.kind or _kind_words(stem.lower(), latin=True)
    if kind:
        found.append(Candidate("kind", kind, "file_name", None, file_name))
    if _DRAFT.search(stem):
        found.append(Candidate("draft", "true", "file_name", None, file_name))
    return found


def choose(candidates: list[Candidate]) -> DocumentMetadata:
    """One value per field by PRECEDENCE; disagreements between sources are listed in ``conflicts``."""
    out = DocumentMetadata(candidates=list(candidates))
    by_field: dict[str, dict[str, list[Candidate]]] = {f: {} for f in FIELDS}
    for candidate in candidates:
        by_field[candidate.field].setdefault(candidate.source, []).append(candidate)
    picks: dict[str, tuple[str, str] | None] = {}
    for name in FIELDS:
        tops = {source: _most_printed(found) for source, found in by_field[name].items()}
        source = next((s for s in PRECEDENCE[name] if s in tops), None)
        picks[name] = (tops[source], source) if source else None
        if len(tops) > 1 and name != "draft":
            out.conflicts += _disagreements(name, tops)
    if picks["unit"]:
        out.unit_name, out.unit_source = _longest_extension(*picks["unit"], by_field["unit"])
    if picks["year"]:
        out.fiscal_year, out.year_source = int(picks["year"][0]), picks["year"][1]
        out.year_problem = year_problem(out.fiscal_year, out.year_source, by_field["year"])
        if out.year_problem:
            out.conflicts.append(f"year: {out.year_problem}")
    if picks["kind"]:
        out.report_kind, out.kind_source = picks["kind"]
    if picks["draft"]:
        out.is_draft, out.draft_source = picks["draft"][0] == "true", picks["draft"][1]
    return out


def same_unit(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and unit_key(a) == unit_key(b)


@lru_cache(maxsize=1 << 16)
def unit_key(name: str) -> str:
    """The identity of a unit name: NFKC, no spaces, half-width brackets, no trailing (汇总)."""
    flat = normalise_cell(name)
    return re.sub(r"\(汇总\)$", "", flat)


# ---------------------------------------------------------------- choosing


def _most_printed(candidates: list[Candidate]) -> str:
    """The value printed most often (the first printed on a tie)."""
    if len(candidates) == 1:
        return candidates[0].value
    counts: dict[str, int] = {}
    for candidate in candidates:
        counts[candidate.value] = counts.get(candidate.value, 0) + candidate.count
    return max(counts, key=counts.__getitem__)  # max keeps the first of equal counts, dicts keep order


def _longest_extension(chosen: str, source: str, sources: dict[str, list[Candidate]]) -> tuple[str, str]:
    """A trusted reading that starts with the chosen name and goes on is the same name not cut at a wrap."""
    longer = [c for s in _EXTENDING_SOURCES for c in sources.get(s, [])
              if c.value.startswith(chosen) and len(c.value) > len(chosen) and not _is_region(c.value)]
    if not longer:
        return chosen, source
    best = max(longer, key=lambda c: len(c.value))
    return best.value, best.source


def _disagreements(name: str, tops: dict[str, str]) -> list[str]:
    """'year: 2024 (title, cover) / 2023 (file_name)' when the sources' readings differ (units by key)."""
    groups: dict[str, list[str]] = {}
    shown: dict[str, str] = {}
    for source in sorted(tops, key=PRECEDENCE[name].index):
        key = unit_key(tops[source]) if name == "unit" else tops[source]
        groups.setdefault(key, []).append(source)
        shown.setdefault(key, tops[source])
    if len(groups) < 2:
        return []
    return [f"{name}: " + " / ".join(f"{shown[key]} ({', '.join(found)})" for key, found in groups.items())]


def _merged(candidates: list[Candidate]) -> list[Candidate]:
    """One candidate per (field, value, source), counting how often it is printed, first line kept."""
    merged: dict[tuple[str, str, str], Candidate] = {}
    for c in candidates:
        key = (c.field, c.value, c.source)
        if key in merged:
            old = merged[key]
            merged[key] = Candidate(old.field, old.value, old.source, old.line_no, old.evidence, old.count + c.count)
        else:
            merged[key] = c
    return list(merged.values())


# ---------------------------------------------------------------- reading names and titles

_REGION = re.compile(r"^(?:[\u4e00-\u9fff]{1,7}?(?:省|自治区|特别行政区|市|自治州|州|盟|地区|新区|区|县|旗))+$")
_GENERIC_WORDS = re.compile(r"(?:本级|本部门|本单位|预算单位|部门|单位|[省市区县州]级|整体|支出|汇总|财务|公开)+$")
_SENTENCE = re.compile(r"[，。；、,;!?！？《》]")
# a measurement unit, not an organisation: 万元, 人民币万元, 元（精确到分）, 平方米, 台（套）, 万元/人
_MEASURE = re.compile(r"^(?:金额|计量)?(?:人民币)?(?:万元|元|千元|亿元|百万元|%|人|个|名|平方米|亩|辆|台|套|件|项|次|"
                      r"户|份|公里|米|吨)(?:/[\u4e00-\u9fff]{1,2})?$")
# marks printed after a caption's name that are no part of it: （盖章） （公章） （续表） （续）
_NAME_MARK = re.compile(r"\((?:盖章|公章|签章|续表|续)\)$")


@lru_cache(maxsize=1 << 14)
def clean_unit(text: str) -> str | None:
    """A printed unit name, or None when the text cannot be one (a heading, a money unit, a sentence).

    Cached: a document prints its unit's caption on every table."""
    name = normalise_cell(text).strip(":：-—_·.")
    name = re.sub(r"\(?公章\)?$", "", name)
    name = _NAME_MARK.sub("", name)
    if _MEASURE.match(re.sub(r"\([^()]*\)", "", name)):  # 单位：万元（保留两位小数）
        return None
    stripped = _GENERIC_WORDS.sub("", name)  # 省检察院部门 (…部门预算) -> 省检察院
    name = stripped if len(stripped) >= 3 else name
    if not (2 <= len(name) <= _MAX_NAME) or _MEASURE.match(name) or _SENTENCE.search(name):
        return None
    if re.search(r"[0-9A-Za-z]", name) or sum("\u4e00" <= ch <= "\u9fff" for ch in name) < 2:
        return None
    if name in _NOT_NAMES or _is_region(name) or _GENERIC_WORDS.fullmatch(name):
        return None
    return name


_NOT_NAMES = {"目录", "目錄", "说明", "附件", "封面", "部门预算", "单位预算", "部门决算", "单位决算", "预算公开",
              "决算公开", "名词解释", "部门概况", "单位概况"}


def _is_region(name: str) -> bool:
    return bool(_REGION.match(name))


@dataclass(frozen=True, slots=True)
class _TitleReading:
    unit: str | None = None
    year: int | None = None
    kind: str | None = None


# <unit?><year>年度?<level/unit?><部门|单位?><预算|决算|…绩效…>
_TITLE_TAIL = r"年度?(?P<mid>[^0-9]*?)(?P<kind>决算|预算|绩效)"
_TITLE = re.compile(r"(?P<pre>[^0-9]*?)(?P<year>20\d{2})" + _TITLE_TAIL)
_TITLE_SHORT_YEAR = re.compile(r"(?P<pre>[^0-9]*?)(?<![0-9])(?P<year>\d{2})" + _TITLE_TAIL)
_TITLE_NO_YEAR = re.compile(r"^(?P<pre>[^0-9]{3,40}?)(?:[省市区县州]级)?(?:部门|单位)(?P<kind>决算|预算)")
_LEVEL = re.compile(r"^[省市区县州]级")


def _read_title(text: str, two_digit_years: bool = False) -> _TitleReading:
    flat = _DRAFT_MARK.sub("", QUOTES.sub("", text))  # 示例局(征求意见稿)2025年部门预算: the mark is no name
    kind = _kind_words(flat)
    match = _TITLE.search(flat)
    year = int(match.group("year")) if match else None
    if match is None and two_digit_years:  # 25年预算: 2025, never a year after next
        match = _TITLE_SHORT_YEAR.search(flat)
        year = 2000 + int(match.group("year")) if match else None
        if year is not None and year > date.today().year + 1:
            match, year = None, None
    if match is None:
        bare = _TITLE_NO_YEAR.search(flat)
        return _TitleReading(unit=clean_unit(bare.group("pre")) if bare else None, kind=kind)
    pre, mid = match.group("pre"), match.group("mid")
    if _is_table_title(flat) or _LEVEL.match(mid):
        # 2025年部门财务收支预算总表 is a table's name (read as a table title); 上海市普陀区2025年区级部门预算
        # names a region's reports, not a unit's
        return _TitleReading(year=year, kind=kind)
    return _TitleReading(unit=clean_unit(pre) or clean_unit(mid), year=year, kind=kind)


_PERFORMANCE_TITLE = re.compile(r"绩效(?:自评|评价)(?:报告|表|共性)|自评报告")


def _kind_words(text: str, latin: bool = False, strict: bool = False) -> str | None:
    """The kind a title names: 绩效自评/评价 → performance, else the last of 预算/决算 (一般公共预算…决算表 is a
    决算 table); ``strict`` (cover lines) reads only 部门/单位预算 and 部门/单位决算."""
    if not strict and "绩效" in text and ("自评" in text or "评价" in text):
        return "performance"
    pattern = r"(?:部门|单位)(?:决算|预算)" if strict else r"决算|预算" + (r"|juesuan|yusuan" if latin else "")
    words = [m.group(0)[-2:] if strict else m.group(0) for m in re.finditer(pattern, text)]
    if not words:
        return None
    return "final_accounts" if words[-1] in ("决算", "juesuan") else "budget"


def _bare_year(stem: str) -> int | None:
    match = re.search(r"(?<![0-9])(20\d{2})(?![0-9])", stem)
    return int(match.group(1)) if match else None


# ---------------------------------------------------------------- captions

_CAPTION_LABELS = ("预算主管部门", "主管部门", "编制部门", "编制单位", "预算单位", "填报单位", "单位名称", "部门名称",
                   "部门", "单位")
_CAPTION = re.compile(
    r"(?:^|(?<=表)|(?<=\)))(?P<label>" + "|".join(_CAPTION_LABELS) + r")(?:\(公章\))?:(?P<value>.*?)"
    r"(?=(?:金额|计量)?单位:|$)"
)
_PAGE_MARK = re.compile(r"^(?:-?\d{1,3}-?|第\d+页(?:共\d+页)?|\d+/\d+)$")
_NUMERAL = "[一二三四五六七八九十]+"
_HEADING = re.compile(rf"^(?:{_NUMERAL}[、.]|第{_NUMERAL}部分|\({_NUMERAL}\)|\d+[、.])")
_DATE = re.compile(r"20\d{2}年\d{1,2}月")
_DOCUMENT_NUMBER = re.compile(r"[〔\[(【]\d{4}[〕\])】]\d+号")
# how an organisation's name ends (a bare 单位： caption is a unit name only when its value ends so)
ORGANISATION_END = re.compile(r"(?:局|院|厅|办|委|会|部|处|署|室|所|站|队|中心|街道|镇|乡|公司|学校|医院|馆|社|团|"
                               r"政府|机关|监狱|集团|台|校|园|组|科|股)$")
_NAME_TAIL_STOP = re.compile(r"(?:印制|编制|监制|制表|印发|发布|审核|盖章)$")


def _caption_candidates(lines: list[str]) -> list[Candidate]:
    found = []
    for index, raw in enumerate(lines):
        if ":" not in raw and "：" not in raw:
            continue
        cells = raw.split("\t")
        for position, cell in enumerate(cells):
            flat = normalise_cell(cell)
            for match in _CAPTION.finditer(flat):
                value = match.group("value")
                if not value and position + 1 < len(cells):  # 编制部门： | 上海市…
                    value = normalise_cell(cells[position + 1])
                if not value:
                    continue
                if len(cells) == 1 and match.end() == len(flat):
                    value += _wrapped_rest(lines, index)
                name = clean_unit(value)
                if name and (match.group("label") != "单位" or ORGANISATION_END.search(name)):
                    found.append(Candidate("unit", name, "caption", index + 1, raw.strip()[:80]))
    return found


def _wrapped_rest(lines: list[str], index: int) -> str:
    """The end of a caption's name that wrapped onto a short line of its own (…规划和自然 / 资源局 单位：元),
    when that line ends in the table's unit caption or the line after it ends the block (目录, a blank,
    another caption, a date, a heading, the table's first row, the end)."""
    if index + 1 >= len(lines) or "\t" in lines[index + 1]:
        return ""
    fragment = normalise_cell(lines[index + 1])
    unit_caption = _UNIT_CAPTION_TAIL.search(fragment)
    if unit_caption:
        fragment = fragment[:unit_caption.start()]
    if not fragment or len(fragment) > 12 or not re.fullmatch(r"[\u4e00-\u9fff()]+", fragment):
        return ""
    if _NAME_TAIL_STOP.search(fragment) or fragment in _NOT_NAMES or _is_region(fragment):
        return ""
    if re.match(r"^[\u4e00-\u9fff]{2,3}[省市]", fragment):  # a new name (示例省财政厅), not the rest of one
        return ""
    after_raw = lines[index + 2] if index + 2 < len(lines) else ""
    after = normalise_cell(after_raw)
    ends_block = (not after or after in ("目录", "目錄") or ":" in after or "\t" in after_raw
                  or bool(_DATE.search(after)) or bool(_HEADING.match(after)))
    return fragment if unit_caption or ends_block else ""


_UNIT_CAPTION_TAIL = re.compile(r"(?:金额|计量)?单位:.*$")


# ---------------------------------------------------------------- the title block


def _title_block(lines: list[str]) -> list[tuple[int, str]]:
    """The short lines at the top of the document that make its title, in order, each NFKC and without spaces."""
    block: list[tuple[int, str]] = []
    for index, raw in enumerate(lines[:HEAD_LINES]):
        text = normalise_cell(raw).lstrip("#")
        if not text or _PAGE_MARK.match(text) or _DOCUMENT_NUMBER.search(text) or (
                not block and text.startswith("附件")):
            continue  # blank lines, page numbers, a document number (苏财预〔2019〕12号), an 附件 mark
        if "\t" in raw or _stops_title(text) or _is_table_title(_TABLE_NUMBER.sub("", QUOTES.sub("", text))):
            break  # a table's title is read as one (table_title), not as the document's
        block.append((index + 1, text))
        if len(block) >= TITLE_BLOCK_LINES:
            break
    return block


def _stops_title(text: str) -> bool:
    return (text in ("目录", "目錄") or ":" in text or len(text) > _MAX_TITLE_LINE or bool(_SENTENCE.search(text))
            or bool(_DATE.search(text)) or bool(_HEADING.match(text)) or "…" in text or "..." in text)


def _title_candidates(lines: list[str]) -> list[Candidate]:
    block = _title_block(lines)
    if not block:
        return []
    joined = "".join(text for _, text in block)
    first_line = block[0][0]
    evidence = " / ".join(text for _, text in block)[:80]
    reading = _read_title(joined)
    found = []
    if reading.unit:
        found.append(Candidate("unit", reading.unit, "title", first_line, evidence))
    phrases = _title_phrases(joined)
    if len({(year, kind) for year, kind, _ in phrases}) > 1:  # 2024年度部门预算 over 2015年度部门决算: settled later
        for year, kind, text in phrases:
            found.append(Candidate("year", str(year), "title", first_line, text))
            found.append(Candidate("kind", kind, "title", first_line, text))
    else:
        if reading.year:
            found.append(Candidate("year", str(reading.year), "title", first_line, evidence))
        if reading.kind:
            found.append(Candidate("kind", reading.kind, "title", first_line, evidence))
    if _DRAFT.search(joined):
        found.append(Candidate("draft", "true", "title", first_line, evidence))
    return found


_TITLE_PHRASE = re.compile(r"(?:20\d{2}\s*[-－—–~～至到]\s*)?(20\d{2})年度?[^0-9]{0,24}?(决算|预算|绩效)")


def _title_phrases(joined: str) -> list[tuple[int, str, str]]:
    """Every <year>年度…<预算|决算|绩效> phrase of the title block: (year, kind, the phrase as printed)."""
    flat = _DRAFT_MARK.sub("", QUOTES.sub("", joined))
    out = []
    for match in _TITLE_PHRASE.finditer(flat):
        kind = _kind_words(match.group(0)) or ("performance" if match.group(2) == "绩效" else None)
        if kind:
            out.append((int(match.group(1)), kind, match.group(0)))
    return out


def _settle_title(found: list[Candidate]) -> list[Candidate]:
    """A title block naming two reports (a note line 2024年度部门预算 printed over the title 2015年度部门决算):
    the phrase whose kind the standard tables' titles print is the title (of several of that kind, the first
    printed); the others become ``note`` readings (kept, lowest precedence). When no table decides between two
    kinds, every phrase stays a title reading, and the year is a conflict the document waits on
    (``year_problem``)."""
    years = [c for c in found if c.field == "year" and c.source == "title"]
    kinds = [c for c in found if c.field == "kind" and c.source == "title"]
    if len({c.value for c in years}) < 2 and len({c.value for c in kinds}) < 2:
        return found
    phrases = [(y, k) for y, k in zip(years, kinds, strict=False)]
    table_kinds = Counter(c.value for c in found if c.field == "kind" and c.source == "table_title")
    if table_kinds:
        kind = table_kinds.most_common(1)[0][0]
        matching = [p for p in phrases if p[1].value == kind]
        phrases = matching or phrases
    if len({k.value for _, k in phrases}) > 1:
        return found  # undecided: the title names two kinds of report and no table says which (year_problem)
    phrases = phrases[:1]  # one kind: the first printed is the title (2025年部门预算 over （2024年度预算执行）)
    title = {id(c) for c in phrases[0]}
    return [c if c.source != "title" or c.field not in ("year", "kind") or id(c) in title
            else Candidate(c.field, c.value, "note", c.line_no, c.evidence, c.count) for c in found]


# the latest year a report may be for: next year's budget is published this year
def latest_plausible_year() -> int:
    return date.today().year + 1


EARLIEST_PLAUSIBLE_YEAR = 2000
_YEAR_RANGE = re.compile(r"(20\d{2})\s*[-－—–~～至到]\s*(20\d{2})\s*年")


def year_problem(year: int, source: str, readings: dict[str, list[Candidate]]) -> str | None:
    """Why a year read from the document cannot be filed by itself: a range printed for it (2015-2016年度),
    two years in the title, a year after next year or before 2000. A manifest year is the maintainer's word."""
    if source == "manifest":
        return None
    chosen = readings.get(source, [])
    if source == "title" and len({c.value for c in chosen}) > 1:  # (the body, table titles may print several)
        return f"the {source} names years {' and '.join(sorted({c.value for c in chosen}))}"
    for candidate in chosen:
        for match in _YEAR_RANGE.finditer(candidate.evidence):
            if str(year) in match.groups():
                return f"the {source} prints a range of years ({match.group(0)}), not one fiscal year"
    if year > latest_plausible_year():
        return f"{year} (from the {source}) is later than next year ({latest_plausible_year()})"
    if year < EARLIEST_PLAUSIBLE_YEAR:
        return f"{year} (from the {source}) is before {EARLIEST_PLAUSIBLE_YEAR}"
    return None


# ---------------------------------------------------------------- standard table titles

_TABLE_NUMBER = re.compile(r"^(?:表[一二三四五六七八九十\d]+|公开\d{1,2}表|[一二三四五六七八九十]+[、.]|\d+[、.])")
_LEADER = re.compile(r"(?:\.{2,}|…+|·{2,}).*$")
# fund and scope words a table's name may begin with beyond what its family pattern matches
_TABLE_WORDS = re.compile(r"(?:一般公共预算|财政拨款|政府性基金(?:预算)?|国有资本经营(?:预算)?|财政专户管理资金|"
                          r"预算单位|本级|部门|单位|[省市区县州]级)+$")
_TABLE_NAMES = [re.compile(f"(?:{family.title_pattern})$") for family in FAMILIES]


def _is_table_title(flat: str) -> bool:
    return may_end_in_title(flat) and any(pattern.search(flat) for pattern in _TABLE_NAMES)


def _table_title_candidates(lines: list[str]) -> list[Candidate]:
    units, found = [], []
    for index, raw in enumerate(lines):
        if "\t" in raw or "表" not in raw:
            continue
        flat = QUOTES.sub("", normalise_cell(raw))
        caption = _CAPTION.search(flat)
        if caption and caption.start() > 0:
            flat = flat[:caption.start()]
        flat = _TABLE_NUMBER.sub("", _LEADER.sub("", flat))
        if len(flat) > 60 or not may_end_in_title(flat):
            continue
        match = next((m for m in (p.search(flat) for p in _TABLE_NAMES) if m), None)
        if match is None:
            continue
        prefix, name = flat[:match.start()], flat[match.start():]
        line_no, evidence = index + 1, raw.strip()[:80]
        year = re.search(r"(20\d{2})年度?", prefix)
        if year:
            found.append(Candidate("year", year.group(1), "table_title", line_no, evidence))
            prefix = prefix.replace(year.group(0), "")
        kind = _kind_words(name)
        if kind:
            found.append(Candidate("kind", kind, "table_title", line_no, evidence))
        unit = clean_unit(_TABLE_WORDS.sub("", prefix))
        if unit:
            units.append(Candidate("unit", unit, "table_title", line_no, evidence))
    # a name is a unit's only when several titles print it (a stray word before one title is not)
    counts = Counter(c.value for c in units)
    return found + [c for c in units if counts[c.value] >= 2]


# ---------------------------------------------------------------- label cells, cover, body

_LABEL_CELLS = {"主管部门", "填报单位", "单位名称", "部门名称", "预算单位", "编制单位", "编制部门"}


def _label_cell_candidates(lines: list[str]) -> list[Candidate]:
    found = []
    for index, text in enumerate(lines[:-1]):
        following = lines[index + 1]
        if not following.startswith("\t") or normalise_cell(text).rstrip(":") not in _LABEL_CELLS:
            continue  # (the cheap test first: few lines are followed by a row of cells)
        name = clean_unit(following)
        if name:
            found.append(Candidate("unit", name, "label_cell", index + 2, following.strip()[:80]))
    return found


def _cover_candidates(lines: list[str]) -> list[Candidate]:
    found = []
    for index, raw in enumerate(lines[:HEAD_LINES]):
        match = re.search(r"(20\d{2})\s*年", raw)
        if match:
            found.append(Candidate("year", match.group(1), "cover", index + 1, raw.strip()[:80]))
            break
    for index, raw in enumerate(lines[:HEAD_LINES]):  # the first short line naming a kind (cover, 目录)
        flat = normalise_cell(raw)
        if "\t" in raw or len(flat) > _MAX_TITLE_LINE or _SENTENCE.search(flat):
            continue
        kind = "performance" if _PERFORMANCE_TITLE.search(flat) else _kind_words(flat, strict=True)
        if kind:
            found.append(Candidate("kind", kind, "cover", index + 1, raw.strip()[:80]))
            break
    for index, raw in enumerate(lines[:HEAD_LINES]):
        flat = normalise_cell(raw)
        # a mark standing alone or in brackets (（征求意见稿）, 草稿), not a word of prose (…完成分区规划初稿)
        if flat and "\t" not in raw and _DRAFT_STANDALONE.search(flat):
            found.append(Candidate("draft", "true", "cover", index + 1, raw.strip()[:80]))
            break
    return found


_BODY_YEAR = re.compile(r"(20\d{2})\s*年度")


def _body_candidates(lines: list[str]) -> list[Candidate]:
    years: Counter[str] = Counter()
    first: dict[str, int] = {}
    for index, raw in enumerate(lines):
        if "年度" not in raw:  # (the pattern's own words: most lines have none)
            continue
        for match in _BODY_YEAR.finditer(raw):
            years[match.group(1)] += 1
            first.setdefault(match.group(1), index + 1)
    return [Candidate("year", year, "body", first[year], f"{year}年度 printed {n} times", n)
            for year, n in years.items()]


_DRAFT_WORDS = r"草稿|征求意见稿|送审稿|讨论稿|初稿"
_DRAFT = re.compile(rf"{_DRAFT_WORDS}|(?<![a-z])draft(?![a-z])", re.IGNORECASE)
_DRAFT_STANDALONE = re.compile(rf"^(?:{_DRAFT_WORDS})$|[(\[【](?:{_DRAFT_WORDS})[)\]】]|^draft$", re.IGNORECASE)
_DRAFT_MARK = re.compile(rf"[(\[【]?(?:{_DRAFT_WORDS})[)\]】]?|[_-]?(?<![a-z])draft(?![a-z])", re.IGNORECASE)
