"""Blank characters pdfium's text page leaves out, where they decide a table's grid, read with playa.

A text object holding only blanks has no width, so pdfium's text page skips it (``pdf_pdfium._blank_objects``),
and pdfium keeps one blank of a run (``_blank_runs``); pdfminer reads every blank. A ruled column (or row) that
holds nothing but blanks is a printed column for the grid (``pdf_tables._grid``), so where such a gap touches a
strip of a table that no character fell into, the page needs the blanks pdfminer reads. Reading the whole page
again with pdfplumber costs several times pdfium's reading of it (a Jiangsu court's tables pad cells with
blank-only text objects on every page); playa (MIT, the pdfminer lineage's lazy successor, already installed
with camelot) reads the page's glyphs in a fraction of that. Its boxes are not quite pdfminer's (see
``blanks_in_strips``), so a blank is placed only where every box pdfminer may give it leads to the same grid.
How high pdfminer boxes an upright glyph is recreated from playa's reading (``Glyph.exact``, as playa's own
pdfminer layer does) and trusted for the glyphs of one font at one size once one of them lies within
``EXACT`` of where pdfium put it. Where a simple font gives a glyph no width, playa advances a full em and
pdfminer none, so the glyphs after it lie apart in the two readings: such a page is left to pdfplumber.

``blanks_in_strips`` answers for one page: the blank glyphs that lie in the tables' empty strips (as pdfplumber
characters), an empty list when none does, or None when playa's reading cannot be trusted to answer (the
document or page does not parse, its glyphs do not lie where pdfium put the same characters, a glyph that is
not a blank lies in a strip, or where pdfminer may put a blank's centre is partly in a strip and partly out):
the caller then reads the page with pdfplumber, as before. A blank placed in a column strip may sit in another
of the strip's printed rows than pdfminer's (its cell's text is empty either way).
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Sequence
from typing import NamedTuple

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom

EDGE = 1.0  # a blank's centre this close to a strip's edge may lie on either side in pdfminer's reading
CHECKED_GLYPHS = 40  # characters compared with pdfium's to check that both readings place them alike
PLACE = 1.0  # how far (points) the same character may lie in the two readings
EXACT = 0.1  # how far a font's character may lie from pdfium's box for the font's boxes to count as pdfminer's
EXACT_EDGE = 0.25  # how near a strip's edge an exactly boxed blank's centre leaves the side in doubt
TRIES_PER_FONT = 20  # characters of a font compared with pdfium's before its boxes are left untrusted


class Glyph(NamedTuple):
    text: str | None
    box: BBox  # playa's box: the font's ascent to descent, a missing width a full em
    exact: BBox | None = None  # pdfminer's box as playa's pdfminer layer recreates it (upright glyphs)
    font: Hashable = None  # the font and size the exact box's height depends on (their descent and scale)
    defaulted: bool = False  # a simple font's glyph without a width (playa: a full em, pdfminer: none)


class PlayaPages:
    """One document's pages as playa reads them (parsed once, when the first page is asked for)."""

    def __init__(self, data: bytes):
        self._data = data
        self._document = None
        self._failed = False

    def glyphs(self, page_no: int) -> list[Glyph] | None:
        """Every glyph of the page in pdfplumber's coordinates, or None when playa cannot read the page."""
        if self._failed:
            return None
        try:
            if self._document is None:
                import playa

                logging.getLogger("playa").setLevel(logging.ERROR)
                self._document = playa.parse(self._data, space="screen")
            page = self._document.pages[page_no - 1]
            return [_glyph(glyph) for text in page.texts for glyph in text]
        except Exception:  # noqa: BLE001 - playa refuses what pdfplumber may still read: the caller falls back
            self._failed = True
            return None

    def close(self) -> None:
        if self._document is not None:
            try:
                self._document.close()
            except Exception:  # noqa: BLE001
                pass
            self._document = None


def blanks_in_strips(glyphs: Sequence[Glyph] | None, chars: Sequence[dict], strips: Sequence[BBox],
                     page_number: int, height: float, doctop: float) -> list[dict] | None:
    """The blanks of ``glyphs`` (playa's reading of the page) that lie in ``strips`` (the empty strips of the
    page's tables), as pdfplumber characters; None where the answer is not certain (see the module).

    playa boxes a glyph by its font's ascent and descent and a missing width as a full em; pdfminer from the
    descent up one font size and a missing width as none. So where pdfminer puts a blank's centre is only known
    to lie in ``_where_centre_may_be``: a blank counts when that whole region is inside a strip, none when it
    touches no strip, and anything between leaves the page to pdfplumber. How high pdfminer boxes it is known
    where its font's glyphs are boxed as pdfminer boxes them (``_fonts_boxed_exactly``)."""
    if glyphs is None or any(glyph.defaulted for glyph in glyphs) or not _placed_alike(glyphs, chars):
        return None
    exact_fonts = _fonts_boxed_exactly(glyphs, chars)
    found = []
    for glyph in glyphs:
        exact = glyph.exact if glyph.exact is not None and glyph.font in exact_fonts else None
        region = _where_centre_may_be(glyph.box, exact)
        touched = [strip for strip in strips if _overlap(region, strip)]
        if not touched:
            continue
        if glyph.text is None or not glyph.text.isspace():
            return None  # a character pdfium did not read where the grid has none: not a blank gap
        if not all(_inside(region, strip) for strip in touched):
            return None  # on a strip's edge: pdfminer's centre may lie on either side of it
        found.append(_char(glyph.text, exact or glyph.box, page_number, height, doctop))
    return found


def _where_centre_may_be(box: BBox, exact: BBox | None = None) -> BBox:
    """Where pdfminer may put the centre of a glyph playa boxed as ``box``: from its origin (no width) to its
    right edge across, and ``EDGE`` around; up and down, half its height beyond its box (another descent) and
    ``EDGE``, or where pdfminer's box is known (``exact``), its middle and ``EXACT_EDGE``."""
    x0, top, x1, bottom = box
    if exact is not None:
        middle = (exact[1] + exact[3]) / 2
        return (x0 - EDGE, middle - EXACT_EDGE, max(x1, exact[2]) + EDGE, middle + EXACT_EDGE)
    half = (bottom - top) / 2
    return (x0 - EDGE, top - half - EDGE, x1 + EDGE, bottom + half + EDGE)


def _fonts_boxed_exactly(glyphs: Sequence[Glyph], chars: Sequence[dict]) -> set:
    """The fonts (at one size: ``Glyph.font``) one of whose glyphs playa's recreated pdfminer box puts within
    ``EXACT`` of a character pdfium read (pdfium's boxes are pdfminer's to 1e-4 pt): playa reads their descent
    as pdfminer does to within that (its default where a font has none is not pdfminer's; a non-embedded
    standard font's metrics may differ by a few thousandths of an em), so their glyphs' heights are
    pdfminer's to within it."""
    boxes: dict[str, list[BBox]] = {}
    for char in chars:
        boxes.setdefault(char["text"], []).append((char["x0"], char["top"], char["x1"], char["bottom"]))
    exact: set = set()
    tries: dict = {}
    for glyph in glyphs:
        if glyph.exact is None or glyph.font in exact or not glyph.text or tries.get(glyph.font, 0) >= TRIES_PER_FONT:
            continue
        tries[glyph.font] = tries.get(glyph.font, 0) + 1
        if any(max(abs(a - b) for a, b in zip(box, glyph.exact, strict=True)) <= EXACT
               for box in boxes.get(glyph.text, ())):
            exact.add(glyph.font)
    return exact


def _overlap(a: BBox, b: BBox) -> bool:
    return a[0] <= b[2] and a[2] >= b[0] and a[1] <= b[3] and a[3] >= b[1]


def _inside(a: BBox, b: BBox) -> bool:
    return b[0] < a[0] and a[2] < b[2] and b[1] < a[1] and a[3] < b[3]


def _placed_alike(glyphs: Sequence[Glyph], chars: Sequence[dict]) -> bool:
    """The first characters playa read (not blanks) lie where pdfium put the same characters: both readings
    use the same page coordinates (origin, rotation, crop box)."""
    by_text: dict[str, list[tuple[float, float]]] = {}
    for char in chars:
        by_text.setdefault(char["text"], []).append(((char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2))
    checked = 0
    for text, box, *_ in glyphs:
        if not text or text.isspace():
            continue
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        if not any(abs(cx - x) <= PLACE and abs(cy - y) <= PLACE for x, y in by_text.get(text, ())):
            return False
        checked += 1
        if checked == CHECKED_GLYPHS:
            break
    return checked > 0


def _glyph(glyph) -> Glyph:
    """playa's glyph, with the box pdfminer gives it as playa's pdfminer layer (``playa.miner.LTChar``)
    recreates it, from the font's descent up one font size and across its width, for an upright glyph of a
    horizontal font (turned, its box's height would be its width, which the two readers may not agree on)."""
    from playa.font import CIDFont
    from playa.miner import transform_bbox

    box = tuple(glyph.bbox)
    font = glyph.font
    try:
        defaulted = glyph.cid not in font.widths and not isinstance(font, CIDFont)
        a, b, c, d, _, _ = glyph.matrix
        if font.vertical or b != 0 or c != 0:
            return Glyph(glyph.text, box, defaulted=defaulted)
        descent = font.descent * font.matrix[3]
        exact = tuple(transform_bbox(glyph.matrix, (0, descent, font.hdisp(glyph.cid), descent + 1)))
        # the font object itself (two fonts may share a name; kept, so its identity is not reused), at the
        # glyph's height (a descent read otherwise is off by its difference times the size)
        return Glyph(glyph.text, box, exact, (font, round(abs(d), 3)), defaulted)
    except Exception:  # noqa: BLE001 - a font playa reads otherwise: where its glyphs lie is not trusted
        return Glyph(glyph.text, box, defaulted=True)


def _char(text: str, box: BBox, page_number: int, height: float, doctop: float) -> dict:
    """A blank as pdfplumber's characters hold it (its font is not read: no blank of a strip is ever
    compared with another one for ``dedupe_chars``)."""
    x0, top, x1, bottom = (float(v) for v in box)
    return {"matrix": (1.0, 0.0, 0.0, 1.0, x0, height - bottom), "fontname": "", "adv": x1 - x0, "upright": True,
            "x0": x0, "y0": height - bottom, "x1": x1, "y1": height - top, "width": x1 - x0,
            "height": bottom - top, "size": bottom - top, "object_type": "char", "page_number": page_number,
            "text": text, "top": top, "bottom": bottom, "doctop": doctop + top}
