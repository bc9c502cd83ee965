"""Words and cell text as pdfplumber groups characters, without its per-call machinery.

pdfplumber's ``extract_words`` and ``extract_text`` (default settings: 3-point tolerances, blanks end a word,
no text flow, ligatures expanded) build a configurable ``WordExtractor`` and a ``TextMap`` on every call; the
reader calls them once per table cell and several times per page, and they were a fifth of reading a page
of the shared reports (docs/BENCHMARKS.md). ``words`` and ``cell_text`` give the same words and text for
upright characters by the same steps — runs of equal ``upright``; lines clustered by ``top`` (distinct values
chained while within the tolerance, objects stably sorted by line); characters of a line stably sorted by
``x0``; a new word where a blank comes, where the text is empty (pdfplumber splits "at punctuation" with an
empty punctuation string, which an empty text matches), or where a character starts left of the previous
one's start, more than the tolerance right of its end, or more than the tolerance above or below it. A run of
rotated characters goes to pdfplumber itself.
"""

from __future__ import annotations

from itertools import groupby
from operator import itemgetter

from pdfplumber.utils.text import LIGATURES, WordExtractor
from pdfplumber.utils.text import extract_text as pdfplumber_text

TOLERANCE = 3  # pdfplumber's default x and y tolerances (points)

Word = tuple[str, float, float, float, float]  # text, x0, top, x1, bottom

_upright = itemgetter("upright")
_top = itemgetter("top")
_x0 = itemgetter("x0")


def _clustered(objects: list, key) -> list[list]:
    """``pdfplumber.utils.cluster_objects(objects, key, TOLERANCE)``: the distinct key values sorted and
    chained while each is within the tolerance of the one before; the objects stably sorted by chain."""
    if len(objects) < 2:
        return [objects] if objects else []
    chain: dict[float, int] = {}
    last = None
    n = 0
    for value in sorted({key(o) for o in objects}):
        if last is not None and value > last + TOLERANCE:
            n += 1
        chain[value] = n
        last = value
    lines: dict[int, list] = {}
    for o in objects:
        lines.setdefault(chain[key(o)], []).append(o)
    return [lines[k] for k in sorted(lines)]


def _word_runs(line: list[dict]) -> list[list[dict]]:
    """The characters of one line (in x order) cut into words."""
    runs: list[list[dict]] = []
    current: list[dict] = []
    for char in line:
        text = char["text"]
        if text.isspace():
            if current:
                runs.append(current)
            current = []
        elif text == "":
            if current:
                runs.append(current)
            runs.append([char])
            current = []
        elif current:
            before = current[-1]
            if char["x0"] < before["x0"] or char["x0"] > before["x1"] + TOLERANCE \
                    or abs(char["top"] - before["top"]) > TOLERANCE:
                runs.append(current)
                current = [char]
            else:
                current.append(char)
        else:
            current = [char]
    if current:
        runs.append(current)
    return runs


def _word(run: list[dict]) -> Word:
    text = "".join(LIGATURES.get(c["text"], c["text"] or "") for c in run)
    return (text, min(c["x0"] for c in run), min(c["top"] for c in run), max(c["x1"] for c in run),
            max(c["bottom"] for c in run))


def words(chars: list[dict]) -> list[Word]:
    """``extract_words(chars, use_text_flow=False, keep_blank_chars=False)`` as (text, x0, top, x1, bottom)."""
    out: list[Word] = []
    for upright, run in groupby(chars, _upright):
        group = list(run)
        if not upright:
            out += [(w["text"], w["x0"], w["top"], w["x1"], w["bottom"])
                    for w in WordExtractor().extract_words(group)]
            continue
        for line in _clustered(group, _top):
            for word_run in _word_runs(sorted(line, key=_x0)):
                out.append(_word(word_run))
    return out


def cell_text(chars: list[dict]) -> str:
    """``pdfplumber.utils.extract_text(chars)``: the words of each line joined by a blank, lines by a line
    break."""
    if not chars:
        return ""
    if not all(c["upright"] for c in chars):
        return pdfplumber_text(chars)
    found = words(chars)
    return "\n".join(" ".join(word[0] for word in line) for line in _clustered(found, itemgetter(2)))
