"""Every figure quoted in a report's prose (部门概况, 情况说明, 编制说明 …), as a fact analysts can query.

Prose lines wrap mid-sentence (and mid-number) wherever the page ends, so the lines outside the tables
are first joined into blocks: a block starts at a heading or an enumerated item (一、 （一） 1. （1）) or at
a short title line, and runs until the next one; page numbers and table-of-contents leaders are dropped.
Each block is cut into sentences (。；) and every amount with a money unit (元, 万元, 亿元, and 万 on its
own) or a percentage becomes a figure:

- ``subject``: the phrase that names it, as printed — the words between the previous clause break (or the
  previous figure) and the number, without the unit's own name, the report's year, enumerations and
  verbs such as 为. A clause that names nothing of its own (与上年相比增加 …, 上年: …, 年初预算为 …)
  takes the subject of the figure it qualifies: the last named figure of its block.
- ``measure``: ``amount`` (the year's figure), ``prior`` (上年 / an earlier year's figure), ``change``
  (增加 / 减少 / 增长 / 下降 / 小于 … X 万元; signed, negative = decrease), ``threshold`` (100 万元以上),
  and for percentages ``share`` (占 …%), ``change_pct`` (增长 …%; signed) and ``rate`` (执行率, 完成 …%).
- the value as printed, its unit, ``amount_wan`` (money converted to 万元), the year it refers to when the
  text names another year, the phase (年初预算 / 调整预算 / 决算 from the words, else the report's kind),
  and the 类/款/项 names the subject gives (or its block's heading gives), for linking to classification codes.

Nothing here decides whether a figure is right: ``expectations/narrative_figure_checks.py`` checks a
budget's figures among themselves and against its tables (a 决算's 情况说明 is checked through the claims
``ingest/narrative.py`` reads). The classification code a subject's 类/款/项 names stand for is resolved
downstream (int_narrative_figures_classified), among the codes the tables print.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from ingest.amounts import UNIT_SCALE_TO_WAN
from ingest.model import as_row

# ---------------------------------------------------------------- patterns (on NFKC text, no whitespace)

_NUMBER = r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
# 万 alone is 万元 when no other word follows (340万，/ 15.00万。), not 万人 / 万平方米; a short aside may
# stand between the number and its unit (公用支出50.28(占比0.30%)万元)
# (?=[-\d]) first: the regex engine then skips to the next digit instead of trying every character (2–3× faster)
_MONEY = re.compile(rf"(?=[-\d])(?<![\d.,])({_NUMBER})(?:\([^()]{{1,16}}\))?"
                    r"(亿元|万元|千元|元(?!旦)|万(?![\u4e00-\u9fff]))")
_PERCENT = re.compile(rf"(?=[-\d])(?<![\d.,])({_NUMBER})%")
_THRESHOLD = re.compile(r"^(?:\(含\))?(?:及|或)?(?:以上|以下|以内)")
# a line that can only continue the line before it: a unit, or an amount with its unit
_CONTINUES = re.compile(rf"^(?:{_NUMBER})?(?:亿元|万元|千元|元|万|%)")
_HEADING_END = "\n"  # put between a heading and the text under it
# the last word of a heading (…情况说明, …预算表, 部门概况): a full-width heading line ends there too
_HEADING_WORD = re.compile(r"(?:说明|情况|概况|总表|预算表|决算表|名词解释|主要职能|机构设置)$")
_SENTENCE_END = "。;!?\n"
_CLAUSE_MARK = re.compile("[,;:。]")
_SENTENCE_END_CHAR = re.compile(f"[{re.escape(_SENTENCE_END)}]")
_CLAUSE_BREAK = ",;:。\n*#"  # ** and ## are markup around headings in some text extractions
_PAGE_NUMBER = re.compile(r"^(?:[-—–]*\d{1,4}[-—–]*|第\d+页(?:,?共\d+页)?|\d+/\d+)$")
_LEADERS = re.compile(r"(?:…{2,}|\.{6,}|·{6,})")
# headings and enumerated items: (level, pattern)
_ENUMERATIONS = (
    (0, re.compile(r"^第[一二三四五六七八九十]+部分")),
    (0, re.compile(r"^[一二三四五六七八九十]+[、.]")),
    (1, re.compile(r"^\([一二三四五六七八九十]+\)")),
    (2, re.compile(r"^\d{1,2}(?:[、]|\.(?!\d)|\)(?!\d))")),
    (3, re.compile(r"^\(\d{1,2}\)")),
    (3, re.compile(r"^[①-⑳]")),
)
_LEADING_ENUMERATION = re.compile(
    r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十]+\)|\d{1,2}(?:[、]|\.(?!\d)|\)(?!\d))"
    r"|\(\d{1,2}\)|[①-⑳])")
_QUOTES = "\"'“”‘’「」『』《》"
_CONNECTORS = re.compile(
    r"^(?:共计|其中|此外|另外|另|同时|以及|及|和|包括|主要包括|分别为|分别是|分别|具体为|具体是|即|含|主要原因是|主要原因为|主要原因"
    r"|原因是|主要是|主要为|主要用于|用于|均为|均|共|合计:|总计:|如下)")
_SELF = re.compile(r"^(?:本|我)(?:部门|单位|局|院|办|委|厅|中心|处|所|站|队|会|校|馆|街道|镇|区|市|省)"
                   r"(?:及(?:下属|所属)?(?:二级)?单位)?")
_ORGANISATION_BEFORE_YEAR = re.compile(
    r"^[\u4e00-\u9fff()]{2,30}?(?:厅|局|院|委|办|部|中心|处|所|站|队|会|馆|校|街道|办事处|政府|委员会|机关)(?=20\d\d年|本年)")
_YEAR = re.compile(r"(20\d\d)年度?")
_TRAILING = re.compile(r"(?:为|是|达到|约|共计|预计为|分别为|各|均|共|都|的|了|:)$")
# words that name which number of a thing, not the thing: a lead made only of these names nothing
_GENERIC = re.compile(
    r"^(?:20\d\d年度?|上年|去年|上一年度?|当年|本年度?|今年|年初|年中|年末|全年|调整后?|预算|决算|执行|实际|支出|收入|数|额|金额"
    r"|合计|总计|总额|同期|一致|持平|相同|相等|不变|完成|为|的|了|相比|比|较|与|:|度)*$")
# a lead opening its sentence with 支出 / 收入 names the total (支出预算 18,976.76 万元), unless it says which year
_TEMPORAL = re.compile(r"20\d\d年|上年|去年|上一年|年初|年中|年末|全年|调整|执行|实际|决算|同期")
# what a subject says about which number of the thing it names (因公出国（境）费年初预算数 → 因公出国（境）费):
# a figure inheriting the subject takes the thing, not the other figure's phase
_PHASE_SUFFIX = re.compile(
    r"(?:(?:年初|调整后?|全年)?(?:预算|决算)(?:支出)?(?:数|额)?|(?:支出)?决算(?:数)?|执行数|实际支出)$")
# budget types and words that say 预算 without meaning the phase 年初预算
_BUDGET_TYPES = re.compile(
    r"一般公共预算|政府性基金预算|国有资本经营预算|社会保险基金预算|预算单位|预算管理|预算绩效|部门预算")
_CHANGE_VERB = re.compile(r"(增加|增长|提高|上升|调增|多|增|减少|下降|降低|调减|压减|缩减|节约|节省|少|减)")
_DOWN_VERBS = {"减少", "下降", "降低", "调减", "压减", "缩减", "节约", "节省", "少", "减"}
_COMPARE_VERB = re.compile(r"(小于|低于|少于|大于|高于|多于|超过|超出)")
_COMPARISON = re.compile(
    r"(?:与|和|同|较|比|相较于?|对比)(?:上年|去年|上一?年度?|20\d\d年度?|年初|当年|本年)?(?:同期)?(?:年初)?"
    r"(?:部门)?(?:预算|决算|执行|实际)?(?:数|额)?(?:相比|比较)?|同比|相比|比较")
_EARLIER_WORDS = re.compile(r"(?:上年|去年|上一年度?)(?!结转|结余|末)")
_SHARE = re.compile(r"占")
_FROM = re.compile(r"^从.+中$")
_NAMES_NOTHING = re.compile(r"(?:共计|合计|总计|累计|共|计|为|是|:)*")
# a 类/款/项 name may hold a parenthesis of its own: 维修（护）费（款）, 因公出国（境）费
_LEVEL = re.compile(r"((?:[^()\"'“”‘’\d,.;:。、%]|\((?![类款项]\))[^()]{1,4}\)){1,40}?)\((类|款|项)\)")
_HEADING_MAX = 30
_QUOTED_SUBJECT = re.compile(r"^[“\"]([^”\"]{2,30}?)[”\"]科目")


@dataclass(slots=True)
class NarrativeFigure:
    figure_no: int  # order of printing in the document
    line_no: int  # line of the rendering where the number is printed
    section: str | None  # the heading the figure is printed under
    subject: str
    measure: str  # amount | prior | change | threshold | share | change_pct | rate
    value: float  # as printed, in printed_unit (signed for changes)
    printed_text: str  # the number and its unit as printed
    printed_unit: str  # 万元 | 元 | 千元 | 亿元 | %
    amount_wan: float | None  # money in 万元; None for percentages
    reference_year: int | None  # the year the figure is quoted for, when the text names another year
    phase_code: str | None  # approved | adjusted | executed (money only)
    class_name: str | None  # 类 / 款 / 项 names the subject (or its block's heading) prints
    kuan_name: str | None
    xiang_name: str | None
    text: str  # the sentence


@dataclass(slots=True)
class _Block:
    printed: str  # the block's lines joined, whitespace removed, as printed
    flat: str  # the same text character by character NFKC (same offsets)
    starts: list[tuple[int, int]]  # (offset, line_no) of each joined line
    level: int | None  # heading level of its first line, None for a plain paragraph

    def line_at(self, offset: int) -> int:
        line_no = self.starts[0][1]
        for start, number in self.starts:
            if start > offset:
                break
            line_no = number
        return line_no


def narrative_figures(lines: list[str], table_lines: set[int], *, report_kind: str | None = None,
                      fiscal_year: int | None = None, unit_name: str | None = None) -> list[dict]:
    """Every amount and percentage printed in the prose lines (not in a table block), in printing order."""
    reader = _FigureReader(report_kind, fiscal_year, unit_name)
    for block in _blocks(lines, table_lines):
        reader.read(block)
    return [as_row(figure) for figure in reader.figures]


# ---------------------------------------------------------------- blocks

class _CharTable(dict):
    """A ``str.translate`` table filled on first use: code point -> ``rule(character)``."""

    def __init__(self, rule: Callable[[str], str | None]):
        super().__init__()
        self.rule = rule

    def __missing__(self, code: int) -> str | None:
        self[code] = value = self.rule(chr(code))
        return value


def _fold(char: str) -> str:
    folded = unicodedata.normalize("NFKC", char)
    return folded if len(folded) == 1 else char


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"


_FOLDED = _CharTable(_fold)
_WIDE_ONLY = _CharTable(lambda char: char if _is_wide(char) else None)
_ASTRAL = "\U00010000-\U0010ffff"  # beyond the BMP: rare, looked up one by one


@functools.cache
def _bmp_class(rule: Callable[[str], bool]) -> str:
    """The body of a regex character class of the BMP characters ``rule`` holds for, as ranges (~20 ms)."""
    codes = [code for code in range(0x10000) if not 0xD800 <= code <= 0xDFFF and rule(chr(code))]
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(re.escape(chr(first)) + (f"-{re.escape(chr(last))}" if last > first else "")
                   for first, last in ranges)


@functools.cache
def _foldable() -> re.Pattern:
    """A character NFKC may change: a BMP one it changes, or any beyond the BMP."""
    return re.compile(f"[{_bmp_class(lambda char: _fold(char) != char)}{_ASTRAL}]")


@functools.cache
def _narrow_runs() -> re.Pattern:
    """Runs of BMP characters that print one cell wide."""
    return re.compile(f"[^{_bmp_class(_is_wide)}{_ASTRAL}]+")


@functools.cache
def _astral() -> re.Pattern:
    return re.compile(f"[{_ASTRAL}]")


def _fold_match(match: re.Match) -> str:
    return _FOLDED[ord(match.group())]


def _flat(text: str) -> str:
    """NFKC character by character (full-width digits, brackets and punctuation to ASCII), same length.

    Most characters of a line (the Chinese ones) fold to themselves: only the few that may not are looked up
    (``str.translate`` looked up every character: a tenth of the parse of a report)."""
    return _foldable().sub(_fold_match, text)


def _level(flat: str) -> int | None:
    if not _LEADING_ENUMERATION.match(flat):  # most lines are none: one match instead of six
        return None
    return next((level for level, pattern in _ENUMERATIONS if pattern.match(flat)), None)


def _prose_lines(lines: list[str], table_lines: set[int]):
    for line_no, raw in enumerate(lines, start=1):
        if line_no in table_lines or "\t" in raw:
            continue
        text = "".join(raw.split())  # str.split() splits where \s matches
        if not text:
            continue
        flat = _flat(text)
        if _PAGE_NUMBER.match(flat) or _LEADERS.search(flat):
            continue
        yield line_no, text, flat, _width(text)


def _blocks(lines: list[str], table_lines: set[int]):
    prose = list(_prose_lines(lines, table_lines))
    # a title is a line clearly shorter than the page's prose lines (a full-width line merely wraps)
    widths = sorted(width for *_, width in prose)
    full_width = widths[int(len(widths) * 0.8)] if widths else 0
    title_width = min(_HEADING_MAX * 2, int(full_width * 0.75))
    printed: list[str] = []
    flats: list[str] = []  # ``printed`` folded line by line (folding is per character: joining commutes)
    starts: list[tuple[int, int]] = []
    level: int | None = None
    previous_closed = True  # the previous prose line ended a sentence (or there was none)
    previous_heading = False  # the previous line was a heading that ended before the page's width
    length = 0
    for line_no, text, flat, width in prose:
        line_level = _level(flat)
        plain = _CLAUSE_MARK.search(flat) is None and not _MONEY.search(flat)
        title = line_level is None and previous_closed and plain and width <= title_width
        if line_level is not None or title:
            if printed:
                yield _make_block(printed, flats, starts, level)
            printed, flats, starts, length = [], [], [], 0
            level = 0 if title else line_level
        elif previous_heading and not _CONTINUES.match(flat):
            printed.append(_HEADING_END)  # the heading's words do not run into the paragraph under it
            flats.append(_HEADING_END)
            length += 1
        starts.append((length, line_no))
        printed.append(text)
        flats.append(flat)
        length += len(text)
        previous_closed = flat.endswith(("。", ":", ";", "!", "?")) or title
        # a heading (一、 / （一） / a title) ends on a line shorter than the page's; an item (1. / （1）) is no heading
        heading_line = title or (line_level is not None and line_level <= 1) or (level is not None and level <= 1
                                                                                 and len(starts) > 1)
        previous_heading = (heading_line and plain and not re.search(r"[\d,.]$", flat)
                            and (width < full_width * 0.85 or bool(_HEADING_WORD.search(flat))))
    if printed:
        yield _make_block(printed, flats, starts, level)


def _width(text: str) -> int:
    """Printed width in half-width cells: a wrapped line fills the page, a heading ends short of it. Wide (W)
    and full-width (F) characters count twice: in a line of the BMP, every character outside its narrow
    runs; in a line with characters beyond it (rare), each character as it is."""
    if _astral().search(text) is None:
        return 2 * len(text) - sum(map(len, _narrow_runs().findall(text)))
    return len(text) + len(text.translate(_WIDE_ONLY))


def _make_block(printed: list[str], flats: list[str], starts: list[tuple[int, int]], level: int | None) -> _Block:
    return _Block(printed="".join(printed), flat="".join(flats), starts=list(starts), level=level)


# ---------------------------------------------------------------- reading figures

@dataclass(slots=True)
class _Named:
    subject: str
    chain: tuple[str | None, str | None, str | None]
    phase_code: str | None

    def for_phase(self, phase_code: str | None) -> str:
        """The subject for a figure of ``phase_code`` that inherits it: as printed for the same phase (与上年相比
        增加 …), without the words naming its own phase for another (年初预算数为 … 决算支出数为 …)."""
        return self.subject if phase_code == self.phase_code else self.stem

    @property
    def stem(self) -> str:
        """The subject without the phase it names, for a figure that inherits it (another phase may be meant)."""
        stem = _PHASE_SUFFIX.sub("", _flat(self.subject))
        return self.subject[: len(stem)] if len(stem) >= 2 else self.subject


class _FigureReader:
    def __init__(self, report_kind: str | None, fiscal_year: int | None, unit_name: str | None):
        self.report_kind = report_kind
        self.fiscal_year = fiscal_year
        self.unit_flat = _flat(re.sub(r"\s+", "", unit_name)) if unit_name else None
        self.figures: list[NarrativeFigure] = []
        self.section: str | None = None
        self.class_context: str | None = None  # the 类 the current heading names

    # -- blocks

    def read(self, block: _Block) -> None:
        if block.level == 0:
            self.section = _heading_text(block)
            self.class_context = None
        figures = _figure_matches(block.flat)
        first_money = next((match for match, kind in figures if kind == "money"), None)
        head_end = _last_chain_end(block.flat, first_money.start() if first_money else len(block.flat))
        chain = _chain(block.flat[:head_end])
        named: _Named | None = None  # the last figure of the block that names its subject
        if chain != (None, None, None):
            if chain[0] is not None:
                self.class_context = chain[0]
            head = _clean_subject(block.printed[:head_end], block.flat[:head_end], self)
            named = (_Named(head, self._with_context(chain), self._phase(_flat(head)))
                     if head and not _is_generic(head, True) else None)
        start = 0
        ends = _sentence_ends(block.flat)
        if figures and any(_SENTENCE_END_CHAR.search(block.flat, match.start(), match.end() - 1)
                           for match, _ in figures):
            figures = None  # a match runs across a sentence end ((含；…)万元): each sentence is matched alone
        at = 0
        for end in ends:
            if figures is None:
                matches = _figure_matches(block.flat, start, end)
            else:
                first = at
                while at < len(figures) and figures[at][0].start() < end:
                    at += 1
                matches = figures[first:at]
            named = self._sentence(block, start, end, matches, named)
            start = end

    def _with_context(self, chain: tuple[str | None, str | None, str | None]):
        class_name, kuan, xiang = chain
        if class_name is None and (kuan or xiang):
            class_name = self.class_context
        return class_name, kuan, xiang

    # -- sentences

    def _sentence(self, block: _Block, start: int, end: int, matches: list[tuple[re.Match, str]],
                  named: _Named | None) -> _Named | None:
        flat = block.flat
        if not matches:
            return named
        text = block.printed[start:end].strip("。;；\n")
        last_money: _Named | None = None
        previous: NarrativeFigure | None = None  # the figure printed before, in this sentence
        previous_end = start
        # “A 万元，其中 B …，C …。比上年增加 D 万元” — after a 其中 list the subject is the list's total again
        list_at = flat.find("其中", start, end)
        total: _Named | None = None
        for match, kind in matches:
            if list_at >= 0 and total is None and match.start() > list_at:
                total = named
            lead_start = _lead_start(flat, previous_end, match.start())
            lead_flat = flat[lead_start: match.start()]
            lead_printed = block.printed[lead_start: match.start()]
            if _NAMES_NOTHING.fullmatch(lead_flat) and lead_start - 1 > previous_end:
                # 上年:25.77万元 / 其他费用等，共计1.59万元 — the clause before names the number
                lead_start = _lead_start(flat, previous_end, lead_start - 1)
                lead_flat = flat[lead_start: match.start()]
                lead_printed = block.printed[lead_start: match.start()]
            listed = previous is not None and lead_flat in ("", "、", "和", "及", "以及")
            previous_end = match.end()
            opens = lead_start == start
            if kind == "money":
                figure, own = self._money(block, match, lead_flat, lead_printed, named, text, opens)
                last_money = _Named(figure.subject, (figure.class_name, figure.kuan_name, figure.xiang_name),
                                    figure.phase_code)
            else:
                # a percentage qualifies the amount before it in its sentence (占, 增长, 完成预算的)
                figure, own = self._percent(block, match, lead_flat, lead_printed, last_money, named, text, opens)
            if listed:  # 分别为 32.74%、63.93%: the figures of a list share the first one's subject
                figure.subject, figure.measure = previous.subject, previous.measure
                figure.class_name, figure.kuan_name, figure.xiang_name = (
                    previous.class_name, previous.kuan_name, previous.xiang_name)
            previous = figure
            self.figures.append(figure)
            if own is not None:
                named = own
        return total or named

    def _money(self, block: _Block, match: re.Match, lead_flat: str, lead_printed: str, named: _Named | None,
               text: str, opens: bool) -> tuple[NarrativeFigure, _Named | None]:
        number, unit = match.group(1), match.group(2)
        unit = "万元" if unit == "万" else unit
        value = float(number.replace(",", ""))
        after = block.flat[match.end(): match.end() + 8]
        reading = _money_measure(lead_flat, lead_printed, after)
        measure = reading.measure
        reference_year = self._reference_year(lead_flat, measure)
        if measure == "amount" and reference_year is not None:
            measure = "prior"
        if measure == "change" and reading.direction == "down":
            value = -value
        own = (self._subject(reading.subject[1], reading.subject[0], opens)
               or self._subject(reading.object[1], reading.object[0], False))  # 原因是…，增加基本支出 844.15 万元
        if own and named and measure in ("change", "prior") and _abbreviates(own, named.subject):
            own = ""  # 收入、支出预算总计 … 与上年相比收、支预算总计各增加 …: the subject just named, in short
        phase_code = self._phase(lead_flat + (own or ""))
        subject = own or (named.for_phase(phase_code) if named else _clean_subject(lead_printed, lead_flat, self))
        chain = _chain(_flat(own)) if own else (named.chain if named else (None, None, None))
        if own:
            if chain[0] is not None:
                self.class_context = chain[0]
            chain = self._with_context(chain)
        figure = NarrativeFigure(
            figure_no=len(self.figures) + 1, line_no=block.line_at(match.start()), section=self.section,
            subject=subject, measure=measure, value=value, printed_text=block.printed[match.start(): match.end()],
            printed_unit=unit, amount_wan=round(value * UNIT_SCALE_TO_WAN[unit], 6), reference_year=reference_year,
            phase_code=phase_code, class_name=chain[0], kuan_name=chain[1],
            xiang_name=chain[2], text=text)
        named_here = _Named(own, chain, phase_code) if own and measure in ("amount", "prior") else None
        return figure, named_here

    def _percent(self, block: _Block, match: re.Match, lead_flat: str, lead_printed: str, last_money: _Named | None,
                 named: _Named | None, text: str, opens: bool) -> tuple[NarrativeFigure, _Named | None]:
        value = float(match.group(1).replace(",", ""))
        if _SHARE.search(lead_flat):
            measure, subject_flat, subject_printed = "share", "", ""
        else:
            verb = _last_verb(lead_flat)
            if verb is not None and lead_flat[verb.end():] in ("", "了", "为", "幅度为", "率为"):
                measure = "change_pct"
                value = -value if verb.group(1) in _DOWN_VERBS else value
                subject_flat, subject_printed = lead_flat[: verb.start()], lead_printed[: verb.start()]
            else:
                measure, subject_flat, subject_printed = "rate", lead_flat, lead_printed
        own = self._subject(subject_printed, subject_flat, opens)
        qualified = last_money or named
        subject = own or (last_money.subject if last_money else named.stem if named
                          else _clean_subject(lead_printed, lead_flat, self))
        chain = (self._with_context(_chain(_flat(own))) if own
                 else qualified.chain if qualified else (None, None, None))
        figure = NarrativeFigure(
            figure_no=len(self.figures) + 1, line_no=block.line_at(match.start()), section=self.section,
            subject=subject, measure=measure, value=value, printed_text=block.printed[match.start(): match.end()],
            printed_unit="%", amount_wan=None, reference_year=self._reference_year(lead_flat, measure),
            phase_code=None, class_name=chain[0], kuan_name=chain[1], xiang_name=chain[2], text=text)
        return figure, None

    # -- attributes

    def _subject(self, printed: str, flat: str, opens: bool) -> str:
        """The lead's own naming words, or '' when it names nothing (与上年相比, 年初预算为, 上年:)."""
        subject = _clean_subject(printed, flat, self)
        return subject if subject and not _is_generic(subject, opens) else ""

    def _reference_year(self, lead_flat: str, measure: str) -> int | None:
        """The year a figure is quoted for when its words name one other than the report's."""
        if measure in ("change", "change_pct", "threshold"):
            return None
        if _EARLIER_WORDS.search(lead_flat):
            return self.fiscal_year - 1 if self.fiscal_year else None
        years = [int(y) for y in _YEAR.findall(lead_flat)]
        earlier = [y for y in years if self.fiscal_year and y < self.fiscal_year]
        return earlier[-1] if earlier and not lead_flat.startswith("截至") else None

    def _phase(self, words: str) -> str | None:
        words = _BUDGET_TYPES.sub("", words)
        if re.search(r"决算|执行数|实际支出|实际执行|支出数|完成数", words):
            return "executed"
        if "调整" in words:
            return "adjusted"
        if "预算" in words:
            return "approved"
        return {"budget": "approved", "final_accounts": "executed"}.get(self.report_kind or "")


def _figure_matches(flat: str, start: int = 0, end: int | None = None) -> list[tuple[re.Match, str]]:
    """Every amount and percentage between ``start`` and ``end``, in printing order, with its kind.

    A block is matched once and its matches shared out to its sentences: matching sentence by sentence
    finds the same ones unless a match runs across a sentence end (``read`` then matches each sentence)."""
    end = len(flat) if end is None else end
    return sorted([(m, "money") for m in _MONEY.finditer(flat, start, end)]
                  + [(m, "percent") for m in _PERCENT.finditer(flat, start, end)],
                  key=lambda pair: pair[0].start())


def _sentence_ends(flat: str) -> list[int]:
    ends = [match.end() for match in _SENTENCE_END_CHAR.finditer(flat)]
    if not ends or ends[-1] != len(flat):
        ends.append(len(flat))
    return ends


def _lead_start(flat: str, floor: int, position: int) -> int:
    """Where the words naming the number at ``position`` begin: after the last clause break, the previous
    figure, or a parenthesis still open before it (（2016年度…为8,648.07万元）)."""
    start = floor
    depth = 0
    for index in range(position - 1, floor - 1, -1):
        char = flat[index]
        if char == ")":
            depth += 1
        elif char == "(":
            if depth == 0:
                return index + 1
            depth -= 1
        elif char in _CLAUSE_BREAK and depth == 0:
            return index + 1
    return start


def _last_match(pattern: re.Pattern, text: str) -> re.Match | None:
    last = None
    for last in pattern.finditer(text):  # noqa: B007 (the last one is wanted)
        pass
    return last


def _last_verb(lead_flat: str) -> re.Match | None:
    return _last_match(_CHANGE_VERB, lead_flat)


@dataclass(slots=True)
class _Reading:
    measure: str
    direction: str | None  # up | down for changes
    subject: tuple[str, str]  # the words naming the figure (flat, printed)
    object: tuple[str, str] = ("", "")  # words after a change verb (增加基本支出 844.15 万元), flat and printed


def _money_measure(lead_flat: str, lead_printed: str, after: str) -> _Reading:
    """What a money figure measures, from the words before it (its lead) and right after it."""
    if _THRESHOLD.match(after):
        return _Reading("threshold", None, (lead_flat, lead_printed))
    compare = _last_match(_COMPARE_VERB, lead_flat)
    if compare is not None:
        up = compare.group(1) in ("大于", "高于", "多于", "超过", "超出")
        return _Reading("change", "up" if up else "down",
                        (lead_flat[: compare.start()], lead_printed[: compare.start()]))
    verb = _last_verb(lead_flat)
    if verb is not None:
        tail = lead_flat[verb.end():]
        at_end = tail in ("", "了", "为", "额为", "额", "资金", "金额")
        single = verb.group(1) in ("多", "增", "少", "减")
        # 基本支出增加机关事业单位养老保险、职业年金缴费等1447.63万元: a two-character verb governs the number
        # (多 / 增 / 少 / 减 alone only right before it: 比上年少 5 万元, not 增值税 or 减免)
        if not single or (at_end and (_COMPARISON.search(lead_flat[: verb.start()]) or verb.start() == 0
                                      or lead_flat[verb.start() - 1] in "各均共")):
            direction = "down" if verb.group(1) in _DOWN_VERBS else "up"
            return _Reading("change", direction, (lead_flat[: verb.start()], lead_printed[: verb.start()]),
                            (lead_flat[verb.end():], lead_printed[verb.end():]))
    return _Reading("amount", None, (lead_flat, lead_printed))


def _abbreviates(short: str, full: str) -> bool:
    """``short`` is ``full`` with characters left out (收、支预算总计 of 收入、支出预算总计)."""
    short, full = _flat(short), _flat(full)
    if len(short) < 2 or len(short) >= len(full):
        return False
    rest = iter(full)
    return all(char in rest for char in short)


def _is_generic(subject: str, opens: bool) -> bool:
    flat = _flat(subject)
    if not _GENERIC.match(flat):
        return False
    # 本年收入, 支出总计 name totals; 支出预算 names one where it opens its sentence (not 支出决算, 年初预算)
    names_total = re.search("支出|收入", flat) and not _TEMPORAL.search(flat) and (opens or "预算" not in flat)
    return not names_total


def _clean_subject(printed: str, flat: str, reader: _FigureReader | None) -> str:
    """The naming words of a lead, as printed: no enumeration, connectors, quotes, unit name, the report's
    own year, comparison phrases or trailing verbs."""
    assert len(printed) == len(flat)
    begin, end = 0, len(flat)
    changed = True
    while changed and begin < end:
        changed = False
        head = flat[begin:end]
        if _FROM.match(head):  # 从会议费预算中调减 …: 会议费预算
            begin, end = begin + 1, end - 1
            changed = True
            continue
        for pattern in (_LEADING_ENUMERATION, _CONNECTORS, _SELF):
            match = pattern.match(head)
            if match and match.end() > 0:
                begin += match.end()
                changed = True
                break
        else:
            if head[0] in ",:、-—":
                begin += 1
                changed = True
            elif reader is not None and reader.unit_flat and head.startswith(reader.unit_flat):
                begin += len(reader.unit_flat)
                changed = True
            elif (year := _YEAR.match(head)) and reader is not None and reader.fiscal_year \
                    and int(year.group(1)) == reader.fiscal_year:
                begin += year.end()
                changed = True
            elif (organisation := _ORGANISATION_BEFORE_YEAR.match(head)) is not None:
                begin += organisation.end()
                changed = True
            elif (comparison := _COMPARISON.match(head)) and comparison.end() > 0:
                begin += comparison.end()
                changed = True
    changed = True
    while changed and begin < end:
        changed = False
        tail = flat[begin:end]
        if tail[-1] in ",:、(<>=≥≤":
            end -= 1
            changed = True
            continue
        trailing = _TRAILING.search(tail)
        if trailing and trailing.start() > 0:
            end = begin + trailing.start()
            changed = True
            continue
        comparison = _last_match(_COMPARISON, tail)
        if comparison is not None and comparison.end() == len(tail) and comparison.start() > 0:
            end = begin + comparison.start()
            changed = True
    return _balanced_quotes(printed[begin:end])


def _balanced_quotes(subject: str) -> str:
    """Quotes around the whole subject go; a quote closed or opened inside it (“三公”经费) stays."""
    opening, closing = "“‘「『\"", "”’」』\""
    if len(subject) > 1 and subject[0] in opening and subject[-1] in closing \
            and not any(c in opening + closing for c in subject[1:-1]):
        return subject[1:-1]
    if subject and subject[0] in opening and not any(c in closing for c in subject[1:]):
        return subject[1:]
    if subject and subject[-1] in closing and not any(c in opening for c in subject[:-1]):
        return subject[:-1]
    return subject


def _chain(flat: str) -> tuple[str | None, str | None, str | None]:
    """The 类 / 款 / 项 names a text prints (政协事务（款）行政运行（项）), each without a trailing 支出."""
    names: dict[str, str] = {}
    for match in _LEVEL.finditer(flat) if _prints_level(flat) else ():
        name = _LEADING_ENUMERATION.sub("", match.group(1)).strip(_QUOTES + ",:、")
        name = re.sub(r"^支出", "", name) if names else name  # 一般公共服务（类）支出 … → the next name
        if name and match.group(2) not in names:
            names[match.group(2)] = name
    if not names and (quoted := _QUOTED_SUBJECT.match(flat)):
        return quoted.group(1), None, None  # “一般公共服务支出”科目: a name the classification lookup may know
    return names.get("类"), names.get("款"), names.get("项")


def _prints_level(flat: str) -> bool:
    """Whether ``_LEVEL`` can match: it ends on one of these (its lazy 40-character scan from every position was
    a third of a parse)."""
    return "(类)" in flat or "(款)" in flat or "(项)" in flat


def _last_chain_end(flat: str, limit: int) -> int:
    """End of the last 类/款/项 name printed before ``limit`` (the block's first amount)."""
    if not _prints_level(flat[:limit]):
        return 0
    last = 0
    for match in _LEVEL.finditer(flat, 0, limit):
        last = match.end()
    return last


def _heading_text(block: _Block) -> str:
    end = block.printed.find(_HEADING_END)
    if end < 0:
        end = block.starts[1][0] if len(block.starts) > 1 else len(block.printed)
    return block.printed[:end][:80]
