"""Figures quoted in a 决算 report's narrative (情况说明), as claims the integrity suite can check.

The standard 情况说明 has one section per table: (一) 收入支出决算总体情况 ↔ 公开01, (二) 收入 ↔ 02,
(三) 支出 ↔ 03, (四) 财政拨款收入支出 ↔ 04, (五) 一般公共预算财政拨款支出 ↔ 05, (六) 基本支出 ↔ 06,
(七) “三公”经费 ↔ 07. Within a section, a quoted amount is matched to its table cell by the words
before it (本年收入, 基本支出, 人员经费, 公务接待费 …). Four kinds of claim are kept:

- amount:     “基本支出 2,206.05 万元” — the table's cell should print the same amount
- share:      “…，占 21.71%” — the amount over the first amount of its sentence
- completion: “完成预算的 47.70%” — the 决算 amount over the 预算 amount of the sentence
- change:     “减少 1,674.09 万元，减少 13.66%” — against the current amount of the subject

Narrative figures are never published as facts; they only produce findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.amounts import normalise_cell
from ingest.model import as_row
from ingest.tables.catalog import QUOTES, family_for_title

SECTION_TITLES = (  # most specific first; matched on the normalised heading
    ("财政拨款收入支出决算总体情况", "GK04"), ("收入支出决算总体情况", "GK01"),
    ("基本支出决算情况", "GK06"), ("一般公共预算财政拨款支出决算", "GK05"), ("三公", "GK07"),
    ("政府性基金预算财政拨款收入支出决算", "GK08"), ("收入决算情况", "GK02"), ("支出决算情况", "GK03"),
)
_HEADING = re.compile(r"^[(（]?[一二三四五六七八九十]+[)）、]")
_AMOUNT = re.compile(r"(\d[\d,]*(?:\.\d+)?)万元")
_CHANGE = re.compile(
    r"(增加|减少|增长|下降)了?(\d[\d,]*(?:\.\d+)?)万元(?:,?(?:增加|减少|增长|下降)了?(\d+(?:\.\d+)?)%)?")
# an explicit base: 与上年决算数 9.64 万元相比 / 较 2018 年预算 61.30 万元
_PRIOR = re.compile(r"(?:上年(?:决算数)?|较[^,]*?)(\d[\d,]*(?:\.\d+)?)万元")
_SUB_ITEM = re.compile(r"^[(（]\d+[)）]")
THREE_PUBLIC_ITEMS = ("因公出国(境)费", "公务用车购置及运行费", "公务用车购置费", "公务用车运行维护费",
                      "公务用车运行费", "公务接待费")

# section table -> (term, target side, target row, target column); the first term found in the label wins
TERMS: dict[str, tuple[tuple[str, str | None, str, str], ...]] = {
    "GK01": (("年初结转和结余", "income", "年初结转和结余", "*"), ("年初结转结余", "income", "年初结转和结余", "*"),
             ("年末结转和结余", "expenditure", "年末结转和结余", "*"),
             ("年末结转结余", "expenditure", "年末结转和结余", "*"),
             ("总收入", "income", "总计", "*"), ("收入总计", "income", "总计", "*"),
             ("支出总计", "expenditure", "总计", "*"), ("本年收入", "income", "本年收入合计", "*"),
             ("本年支出", "expenditure", "本年支出合计", "*")),
    "GK02": (("收入合计", None, "合计", "本年收入合计"), ("财政拨款收入", None, "合计", "财政拨款收入"),
             ("上级补助收入", None, "合计", "上级补助收入"), ("事业收入", None, "合计", "事业收入"),
             ("经营收入", None, "合计", "经营收入"), ("附属单位上缴收入", None, "合计", "附属单位上缴收入"),
             ("其他收入", None, "合计", "其他收入")),
    "GK03": (("支出合计", None, "合计", "本年支出合计"), ("基本支出", None, "合计", "基本支出"),
             ("项目支出", None, "合计", "项目支出"), ("上缴上级支出", None, "合计", "上缴上级支出"),
             ("经营支出", None, "合计", "经营支出"), ("对附属单位补助支出", None, "合计", "对附属单位补助支出")),
    "GK04": (("收、支总计", "income", "总计", "*"), ("收支总计", "income", "总计", "*")),
    "GK05": (("一般公共预算财政拨款支出", None, "合计", "本年支出/小计"),),
    "GK06": (("人员经费", None, "人员经费合计", "*"), ("公用经费", None, "公用经费合计", "*"),
             ("基本支出", None, "人员经费合计+公用经费合计", "*")),
}


@dataclass(slots=True)
class Claim:
    line_no: int
    section_table: str
    claim_kind: str  # amount | share | completion | change
    target_table: str | None
    target_side: str | None
    target_row: str | None  # row label / line item, or 类 name for '(类)' rows
    target_column: str | None  # column path, '*' for the table's first column
    stated: float | None  # the amount (万元) or percent as printed
    numerator: float | None
    denominator: float | None
    change: float | None
    direction: str | None  # up | down
    prior: float | None
    text: str


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _normalise(line: str) -> str:
    return QUOTES.sub("", normalise_cell(line))


def narrative_claims(lines: list[str], table_lines: set[int]) -> list[dict]:
    """Claims from every narrative line (not inside a table block), with their line numbers."""
    claims: list[Claim] = []
    for section, segments in _paragraphs(lines, table_lines):
        text = "".join(segment for _, segment in segments)
        # numbered sub-items ((1) 本级 …, (2) 档案馆 …) describe subunits, not the report's own tables
        if "万元" not in text or _SUB_ITEM.match(text):
            continue
        for claim in _paragraph_claims(segments[0][0], section, text):
            claim.line_no = _line_of(segments, text.find(claim.text))
            claims.append(claim)
    return [as_row(c) for c in claims]


def _paragraphs(lines: list[str], table_lines: set[int]):
    """(section, [(line_no, text) …]) per paragraph; a paragraph broken over lines (page breaks) is
    joined until a line ends a sentence."""
    section: str | None = None
    current: list[tuple[int, str]] = []
    for line_no, raw in enumerate(lines, start=1):
        if line_no in table_lines or "\t" in raw:
            continue
        text = _normalise(raw)
        if not text:
            continue
        if _HEADING.match(text) and "万元" not in text:
            if current and section:
                yield section, current
            current = []
            section = next((code for title, code in SECTION_TITLES if title in text), None)
            continue
        if section is None or family_for_title(raw.strip()) is not None:
            continue
        current.append((line_no, text))
        if text.endswith(("。", ":", "!")):
            yield section, current
            current = []
    if current and section:
        yield section, current


def _line_of(segments: list[tuple[int, str]], offset: int) -> int:
    position = 0
    for line_no, text in segments:
        position += len(text)
        if offset < position:
            return line_no
    return segments[-1][0]


def _paragraph_claims(line_no: int, section: str, paragraph: str) -> list[Claim]:
    out: list[Claim] = []
    subject: tuple | None = None  # the last matched target: the subject of later clauses
    for sentence in filter(None, re.split(r"[。;]", paragraph)):
        first_amount: float | None = None
        budget: float | None = None
        final: float | None = None
        last_amount: float | None = None
        changes = list(_CHANGE.finditer(sentence))
        priors, start = [], 0
        for change in changes:  # each change's explicit base, if printed between it and the previous one
            priors.append(_PRIOR.search(sentence, start, change.start()))
            start = change.end()
        stripped = _CHANGE.sub("", sentence)
        for prior in filter(None, priors):
            stripped = stripped.replace(prior.group(0), "")
        position = 0
        for match in _AMOUNT.finditer(stripped):
            clause = _last_clause(stripped[position: match.start()])
            position = match.end()
            amount = _number(match.group(1))
            if "上年" in clause or re.search(r"与20\d\d年", clause):
                continue
            target = _target(section, clause, subject)
            if target is not None:
                subject = target
                out.append(Claim(line_no, section, "amount", *target, stated=amount, numerator=None,
                                 denominator=None, change=None, direction=None, prior=None, text=sentence))
            if section == "GK07":
                phase = target[3].split("/")[0] if target else None
                budget = amount if phase == "预算数" else budget
                final = amount if phase == "决算数" else final
            first_amount = amount if first_amount is None else first_amount
            last_amount = amount
            share = re.match(r"^,?占(\d+(?:\.\d+)?)%", stripped[match.end():])
            if share and first_amount is not None and last_amount is not first_amount:
                out.append(Claim(line_no, section, "share", None, None, None, None, stated=float(share.group(1)),
                                 numerator=last_amount, denominator=first_amount, change=None, direction=None,
                                 prior=None, text=sentence))
        for change, prior in zip(changes, priors, strict=True):
            label = sentence[: change.start()]
            target = _target(section, _last_clause(label)) or subject
            if target is None:
                continue
            percent = change.group(3)
            out.append(Claim(line_no, section, "change", *target, stated=float(percent) if percent else None,
                             numerator=None, denominator=None, change=_number(change.group(2)),
                             direction="up" if change.group(1) in ("增加", "增长") else "down",
                             prior=_number(prior.group(1)) if prior else None, text=sentence))
        completion = re.search(r"完成(?:年初)?预算(?:数)?的(\d+(?:\.\d+)?)%", stripped)
        if completion and budget is not None and final is not None:
            out.append(Claim(line_no, section, "completion", None, None, None, None,
                             stated=float(completion.group(1)), numerator=final, denominator=budget, change=None,
                             direction=None, prior=None, text=sentence))
    return out


def _last_clause(text: str) -> str:
    return re.split(r"[,:，：]", text)[-1]


def _target(section: str, label: str, subject: tuple | None = None) -> tuple | None:
    """(table, side, row, column) a label refers to in its section, or None."""
    if section == "GK05":
        named_class = re.search(r"([^,:]+?)\(类\)支出$", label)
        if named_class:
            return ("GK05", None, named_class.group(1) + "支出", "本年支出/小计")
    if section == "GK07":
        return _three_public_target(label, subject)
    for term, side, row, column in TERMS.get(section, ()):
        if term in label:
            if row == "人员经费合计+公用经费合计":  # 基本支出 quoted in (六) is 公开05's 合计 基本支出
                return ("GK05", None, "合计", "本年支出/基本支出")
            return (section, side, row, column)
    return None


def _three_public_target(label: str, subject: tuple | None) -> tuple | None:
    item = next((i for i in THREE_PUBLIC_ITEMS if i in label), None)
    if item is None and "三公" in label:
        item = "合计"
    if item is None and subject and subject[0] == "GK07" and ("预算" in label or "决算" in label or "支出数" in label):
        item = subject[3].split("/", 1)[1].removesuffix("/小计")
    if item is None:
        return None
    phase = "预算数" if "预算" in label and "决算" not in label else "决算数"
    column = {"公务用车购置及运行费": "公务用车购置及运行费/小计",
              "公务用车购置费": "公务用车购置及运行费/公务用车购置费",
              "公务用车运行维护费": "公务用车购置及运行费/公务用车运行费",
              "公务用车运行费": "公务用车购置及运行费/公务用车运行费"}.get(item, item)
    return ("GK07", None, "", f"{phase}/{column}")
