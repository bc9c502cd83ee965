"""PDF page objects read with pdfium, in the shape pdfplumber gives them.

pdfplumber reads a page through pdfminer's layout engine in pure Python; pdfium (C++, through pypdfium2's
raw ctypes API) reads the same content stream several times faster (docs/BENCHMARKS.md). This module builds
pdfplumber's object dicts from pdfium — every character with the box pdfminer gives it, and every path
painted as a ``line``, ``rect`` or ``curve`` with pdfminer's rules — and hands them to a pdfplumber ``Page``
subclass, so the table finder, word grouping and text extraction that read them are pdfplumber's own,
unchanged. Only the reading of the content stream is replaced.

Character boxes follow pdfminer (``LTChar``): from the glyph's origin, its advance (the font's width of the
character, ``FPDFFont_GetGlyphWidth``; pdfium's "loose" box where the font gives none), and the font's
descent to descent + size, through the character's matrix. Paths follow pdfminer's ``paint_path``: each
subpath on its own; ``m l`` is a line, a closed axis-aligned ``m l l l h`` a rectangle, anything else a
curve of its points. Coordinates are rounded to 4 decimals in the object's own space before they are
transformed (pdfium keeps 32-bit floats, pdfminer 64-bit ones of the numbers printed in the content
stream), so the two readers agree to ~1e-4 pt (cell boxes to 0.05 pt where the PDF prints 5 decimals).

Where this reader differs from pdfminer it says so. A character whose advance it cannot recover (set at
45°) raises ``Unsupported``: the caller reads that document with pdfplumber. Blank characters: pdfium's
text page keeps one blank of a run and leaves out text objects holding only blanks, which pdfminer reads
as characters; ``PdfiumPage.blank_gaps`` marks where such blanks may be, and the caller reads a page with
pdfplumber where that could change a table's grid. Vertical writing (a ``-V`` CMap) is recognised by its
negative advance (pdfium gives a vertical font's vertical advance) and raises ``Unsupported`` too; none of
the shared PDFs uses it.
"""


from __future__ import annotations

import ctypes
from collections.abc import Iterator
from functools import lru_cache

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfplumber.container import Container
from pdfplumber.page import Page

from ingest.renderings import pdfium_calls as calls
from ingest.renderings.pdf_clipping import Box, PdfBox, clipped_regions

Matrix = tuple[float, float, float, float, float, float]
_GENERATED = frozenset((0x20, 0x0D, 0x0A))  # what pdfium's text page inserts (FPDFText_IsGenerated)
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


class Unsupported(Exception):
    """The page holds something this reader does not box as pdfminer does."""


def _mult(m1: Matrix, m0: Matrix) -> Matrix:
    """m1 applied first, then m0 (pdfminer's ``mult_matrix``)."""
    a1, b1, c1, d1, e1, f1 = m1
    a0, b0, c0, d0, e0, f0 = m0
    return (a0 * a1 + c0 * b1, b0 * a1 + d0 * b1, a0 * c1 + c0 * d1, b0 * c1 + d0 * d1,
            a0 * e1 + c0 * f1 + e0, b0 * e1 + d0 * f1 + f0)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _r(v: float) -> float:
    return round(v, 4)


def _matrix(struct) -> Matrix:
    return (_r(struct.a), _r(struct.b), _r(struct.c), _r(struct.d), _r(struct.e), _r(struct.f))


class PdfiumPage(Page):
    """A pdfplumber page whose objects were read by pdfium; everything derived from them is pdfplumber's."""

    def __init__(self, objects: dict[str, list[dict]], page_number: int, mediabox: tuple[float, ...],
                 rotation: int, initial_doctop: float = 0.0, blank_gaps: list[tuple[float, ...]] | None = None):
        self.pdf = None
        self.root_page = self
        self.page_obj = None
        self.page_number = page_number
        self.initial_doctop = initial_doctop
        self.rotation = rotation
        self.mediabox = self.cropbox = self.bbox = mediabox
        self._objects = objects
        # where pdfium may have left out blank characters pdfminer reads (see ``_blank_gaps``)
        self.blank_gaps = blank_gaps or []
        self.get_textmap = lru_cache()(self._get_textmap)

    @property
    def objects(self) -> dict[str, list[dict]]:
        return self._objects

    def close(self) -> None:
        Container.flush_cache(self, ["_rect_edges", "_curve_edges", "_edges"])


class PdfiumDocument:
    """The pages of one PDF as ``PdfiumPage`` objects, read on demand."""

    def __init__(self, data: bytes):
        self._document = pdfium.PdfDocument(data)
        self._pages: list[PdfiumPage] | None = None
        self._clipped: dict[int, list] = {}

    def __enter__(self) -> PdfiumDocument:
        return self

    def __exit__(self, *_) -> None:
        self.close()

    def close(self) -> None:
        self._document.close()

    @property
    def pages(self) -> list[PdfiumPage]:
        if self._pages is None:
            doctop, pages = 0.0, []
            for index in range(len(self._document)):
                page, clipped = read_page(self._document, index, doctop)
                doctop += page.height
                pages.append(page)
                if clipped:
                    self._clipped[index + 1] = clipped
            self._pages = pages
        return self._pages

    @property
    def clipped(self) -> dict[int, list]:
        """Per page number: the text objects their clipping path cuts (``pdf_clipping``)."""
        self.pages  # noqa: B018 - read while the pages are
        return self._clipped


def clipped_text_regions(data: bytes) -> dict[int, list[tuple[Box, Box]]]:
    """Per page number (1-based): (text object box, visible rectangle) of each text object that its clipping
    path cuts (``pdf_clipping``), without reading the characters (for the pdfplumber reader). Pages without
    clipped text are absent."""
    regions: dict[int, list[tuple[Box, Box]]] = {}
    document = pdfium.PdfDocument(data)
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                texts, _ = _page_objects(calls.handle(page.raw))
                found = clipped_regions(texts, page.get_size()[1])
            finally:
                page.close()
            if found:
                regions[index + 1] = found
    finally:
        document.close()
    return regions


def _page_ctm(mediabox: tuple[float, float, float, float], rotation: int) -> Matrix:
    """pdfminer's device matrix for a page (``PDFPageInterpreter.process_page``)."""
    x0, y0, x1, y1 = mediabox
    if rotation == 90:
        return (0, -1, 1, 0, -y0, x1)
    if rotation == 180:
        return (-1, 0, 0, -1, x1, y1)
    if rotation == 270:
        return (0, 1, -1, 0, y1, -x0)
    return (1, 0, 0, 1, -x0, -y0)


def read_page(document: pdfium.PdfDocument, index: int, initial_doctop: float = 0.0) -> tuple[PdfiumPage, list]:
    """The page's objects, and the text objects its clipping paths cut (``pdf_clipping``)."""
    page = document[index]
    try:
        raw = page.raw
        left, bottom, right, top = (ctypes.c_float() for _ in range(4))
        if pdfium_c.FPDFPage_GetMediaBox(raw, *(ctypes.byref(v) for v in (left, bottom, right, top))):
            media = (_r(left.value), _r(bottom.value), _r(right.value), _r(top.value))
        else:
            media = (0.0, 0.0, _r(pdfium_c.FPDF_GetPageWidthF(raw)), _r(pdfium_c.FPDF_GetPageHeightF(raw)))
        media = (min(media[0], media[2]), min(media[1], media[3]), max(media[0], media[2]), max(media[1], media[3]))
        rotation = (pdfium_c.FPDFPage_GetRotation(raw) * 90) % 360
        ctm = _page_ctm(media, rotation)
        width, height = media[2] - media[0], media[3] - media[1]
        if rotation in (90, 270):
            width, height = height, width
        page_box = (0.0, 0.0, float(width), float(height))
        texts, paths = _page_objects(calls.handle(raw))
        textpage = page.get_textpage()
        try:
            chars, gaps = _chars(calls.handle(textpage.raw), ctm, height, index + 1, initial_doctop)
            gaps += _blank_objects(texts, ctm, height)
            objects: dict[str, list[dict]] = {"char": chars}
            for kind, obj in _paths(paths, ctm, height, index + 1, initial_doctop):
                objects.setdefault(kind, []).append(obj)
        except (OverflowError, ValueError) as exc:  # rounding an infinite or undefined coordinate
            raise Unsupported(f"page {index + 1}: a coordinate pdfium cannot give ({exc})") from exc
        finally:
            textpage.close()
        return (PdfiumPage(objects, index + 1, page_box, rotation, initial_doctop, gaps),
                clipped_regions(texts, page.get_size()[1]))
    finally:
        page.close()


def _page_objects(page: int) -> tuple[list[tuple[int, PdfBox]], list[tuple[int, Matrix]]]:
    """One walk over the page's objects and those of its form objects (as deep as pypdfium2's
    ``get_objects``): the text objects with their bounds, and the path objects with the matrix of the forms
    they sit in."""
    texts: list[tuple[int, PdfBox]] = []
    paths: list[tuple[int, Matrix]] = []
    text_kind, path_kind, form_kind = pdfium_c.FPDF_PAGEOBJ_TEXT, pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    bounds = [ctypes.byref(v) for v in (left, bottom, right, top)]
    form = pdfium_c.FS_MATRIX()

    def walk(container: int, matrix: Matrix, depth: int) -> None:
        count, get = ((calls.page_count_objects, calls.page_get_object) if depth == 0
                      else (calls.form_count_objects, calls.form_get_object))
        for i in range(count(container)):
            obj = get(container, i)
            kind = calls.object_type(obj)
            if kind == text_kind:
                calls.object_bounds(obj, *bounds)
                texts.append((obj, (left.value, bottom.value, right.value, top.value)))
            elif kind == path_kind:
                paths.append((obj, matrix))
            elif kind == form_kind and depth < 14:
                calls.object_matrix(obj, form)
                walk(obj, _mult(_matrix(form), matrix), depth + 1)

    walk(page, _IDENTITY, 0)
    return texts, paths


# ---------------------------------------------------------------- characters

def _font_name(font: int) -> str:
    size = calls.font_base_name(font, None, 0)
    if not size:
        return ""
    buffer = ctypes.create_string_buffer(size)
    calls.font_base_name(font, buffer, size)
    return buffer.value.decode("utf-8", "replace")


def _chars(raw: int, ctm: Matrix, height: float, page_number: int,
           doctop: float) -> tuple[list[dict], list[tuple[float, float, float, float]]]:
    """The characters of the text page ``raw``, and the gaps after a blank where pdfium may have dropped
    more blanks."""
    n = calls.text_count_chars(raw)
    # text object -> (font name, size, font, its matrix, that through the page's, descent and ascent in text
    # space, upright, the font's advances per character)
    fonts: dict[int, tuple] = {}
    out = []
    owners = []  # the text object of each character in ``out`` (for ``_blank_runs``)
    matrix = pdfium_c.FS_MATRIX()
    loose = pdfium_c.FS_RECTF()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    ox_ref, oy_ref = ctypes.byref(ox), ctypes.byref(oy)
    page = ctypes.c_void_p(raw)  # for the per-character calls, declared without argument types
    is_generated, get_unicode = calls.text_is_generated_unchecked, calls.text_unicode_unchecked
    get_object, get_origin = calls.text_object_unchecked, calls.text_origin_unchecked
    get_matrix, get_loose = calls.text_matrix, calls.text_loose_box
    get_width, width = calls.font_glyph_width, ctypes.c_float()
    width_ref = ctypes.byref(width)
    widths: dict[int, dict[int, float]] = {}  # font -> character -> advance per unit of size
    ca, cb, cc, cd, ce, cf = ctm
    faces: dict[int, tuple[str, float]] = {}  # font -> (name, descent per unit of size)
    styles: dict[tuple, tuple] = {}  # (font, size, matrix as pdfium gives them) -> what ``fonts`` holds
    get_font, get_size, object_size = calls.text_object_font, calls.text_object_font_size, ctypes.c_float()
    size_ref = ctypes.byref(object_size)
    last = None  # the text object of the character before (a text object's characters come together)
    for i in range(n):
        code = get_unicode(page, i)
        if code in _GENERATED and is_generated(page, i):  # pdfium's own line breaks and word spaces
            continue
        key = get_object(page, i) or 0
        if key != last:
            font = fonts.get(key)
            if font is None:  # a text object's characters share its font, size and matrix
                get_matrix(raw, i, matrix)
                handle = get_font(key) or 0
                get_size(key, size_ref)
                style = (handle, object_size.value, matrix.a, matrix.b, matrix.c, matrix.d)
                font = styles.get(style)
                if font is None:  # most of a page's text objects share a few styles
                    font = styles[style] = _style(handle, object_size.value, matrix, ctm, faces, widths)
                fonts[key] = font
            name, size, font_key, (a, b, c, d), (ma, mb, mc, md), low, high, upright, advances = font
            last = key
        get_origin(page, i, ox_ref, oy_ref)
        # the advance is the font's width of the character (pdfium's loose box is sometimes the glyph's
        # ink instead, for fonts the PDF does not embed); from the loose box where the font has none
        unit = advances.get(code)
        if unit is None:
            unit = advances[code] = (
                width.value / 1000.0 if code and get_width(font_key, code, 1000.0, width_ref) else 0.0)
        if unit < 0:  # pdfium gives a vertical font's vertical advance, which runs down the page
            raise Unsupported(f"page {page_number}: vertical writing")
        if unit:
            adv = unit * size
        else:
            get_loose(raw, i, loose)
            adv = _advance(a, b, c, d, loose.right - loose.left, loose.top - loose.bottom)
        if adv is None:
            raise Unsupported(f"page {page_number}: a character turned 45° (its advance is unknown)")
        # round(v, 4) at a third of its cost, for the 32-bit floats pdfium keeps: such a number times 10,000 is
        # exact in a double (24 bits of mantissa times 625 fit in 53), so rounding that product half to even
        # and dividing gives the double nearest the same 4-decimal number (but 0.0 where round gives -0.0,
        # and an error for an infinite or undefined value, which read_page turns into Unsupported)
        ex, fy = round(ox.value * 10000.0) / 10000.0, round(oy.value * 10000.0) / 10000.0
        me, mf = ca * ex + cc * fy + ce, cb * ex + cd * fy + cf  # _mult((a, b, c, d, ex, fy), ctm)
        char_matrix = (ma, mb, mc, md, me, mf)
        if mb == 0 and mc == 0:  # upright or mirrored, not slanted: two corners are the box
            xa, xb = me, ma * adv + me
            ya, yb = md * low + mf, md * high + mf
            x0, x1 = (xa, xb) if xa <= xb else (xb, xa)
            y0, y1 = (ya, yb) if ya <= yb else (yb, ya)
        else:
            corners = [_apply(char_matrix, px, py) for px, py in ((0.0, low), (0.0, high), (adv, low), (adv, high))]
            x0, x1 = min(p[0] for p in corners), max(p[0] for p in corners)
            y0, y1 = min(p[1] for p in corners), max(p[1] for p in corners)
        top = height - y1
        out.append({
            "matrix": char_matrix, "fontname": name, "adv": adv, "upright": upright,
            "x0": x0, "y0": y0, "x1": x1, "y1": y1, "width": x1 - x0, "height": y1 - y0,
            "size": y1 - y0, "object_type": "char", "page_number": page_number,
            "text": chr(code) if code else "", "top": top, "bottom": height - y0, "doctop": doctop + top,
        })
        owners.append(key)
    return out, _blank_runs(out, owners)


def _style(font: int, size: float, matrix, ctm: Matrix, faces: dict[int, tuple[str, float]],
           widths: dict[int, dict[int, float]]) -> tuple:
    """What the characters of one text style share (see ``_chars``): the font's name, the size, the font, the
    matrix (rounded as pdfminer's), the matrix through the page's, the glyph box's bottom and top in text
    space, whether it is upright, and the font's advances (filled as characters come)."""
    name, descent = _face(font, faces)
    size = _r(size)
    a, b, c, d = _r(matrix.a), _r(matrix.b), _r(matrix.c), _r(matrix.d)
    ma, mb, mc, md = _mult((a, b, c, d, 0.0, 0.0), ctm)[:4]
    low = descent * size
    return (name, size, font, (a, b, c, d), (ma, mb, mc, md), low, low + size, ma * md > 0 and mb * mc <= 0,
            widths.setdefault(font, {}))


def _blank_runs(chars: list[dict], owners: list[int]) -> list[tuple[float, float, float, float]]:
    """pdfium keeps one blank of a run of blanks (``CPDF_TextPage::CloseTempLine``); pdfminer keeps them all.
    Where a blank is followed, in the same text object (``owners``: each character's), by a gap wider than
    half a blank, more blanks may have stood there: the gap's box (x0, top, x1, bottom)."""
    gaps = []
    for i, char in enumerate(chars[:-1]):
        if char["text"] != " ":
            continue
        after = chars[i + 1]
        if owners[i + 1] == owners[i] and after["text"] != " " \
                and abs(after["x0"] - char["x1"]) > 0.5 * max(char["width"], 0.1):
            x0, x1 = sorted((char["x1"], after["x0"]))
            gaps.append((x0, min(char["top"], after["top"]), x1, max(char["bottom"], after["bottom"])))
    return gaps


def _blank_objects(texts: list[tuple[int, PdfBox]], ctm: Matrix,
                   height: float) -> list[tuple[float, float, float, float]]:
    """Text objects of no width: pdfium's text page leaves them out (``CPDF_TextPage::ProcessTextObject``),
    and they are the blank-only ones (a blank glyph has no box), which pdfminer reads as blank characters.
    The zone returned is where the centres of those blanks may lie (characters are placed by their centre):
    from the object's origin ten font sizes to the right (how many blanks it holds is not known) and from the
    baseline to 0.6 of a font size above it, in text space through the object's matrix (a generator that
    sets 240-point text scaled by 0.05 prints 12-point blanks)."""
    gaps = []
    size = ctypes.c_float()
    own = pdfium_c.FS_MATRIX()
    for obj, (left, _, right, _) in texts:
        if abs(right - left) >= 0.01:
            continue
        calls.text_object_font_size(obj, ctypes.byref(size))
        calls.object_matrix(obj, own)
        em = abs(size.value)
        to_page = _mult((own.a, own.b, own.c, own.d, own.e, own.f), ctm)
        points = [_apply(to_page, x, y) for x in (0.0, 10 * em) for y in (0.0, 0.6 * em)]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        gaps.append((min(xs), height - max(ys), max(xs), height - min(ys)))
    return gaps


def _face(font: int, faces: dict[int, tuple[str, float]]) -> tuple[str, float]:
    """A font's name and descent per unit of size (read once per font, kept in ``faces``)."""
    face = faces.get(font)
    if face is None:
        descent = ctypes.c_float()
        calls.font_descent(font, 1000.0, ctypes.byref(descent))
        face = faces[font] = (_font_name(font), descent.value / 1000.0)
    return face


def _advance(a: float, b: float, c: float, d: float, width: float, height: float) -> float | None:
    """The character's advance in text space (pdfminer's textwidth * size * scaling) from pdfium's loose box:
    the box is the character's (advance × font height) rectangle through its matrix, so its width is
    |a|·adv + |c|·h and its height |b|·adv + |d|·h."""
    det = abs(a) * abs(d) - abs(b) * abs(c)
    if abs(det) < 1e-9:
        return None
    return (abs(d) * abs(width) - abs(c) * abs(height)) / det


# ---------------------------------------------------------------- paths

def _paths(paths: list[tuple[int, Matrix]], ctm: Matrix, height: float, page_number: int,
           doctop: float) -> Iterator[tuple[str, dict]]:
    fillmode, stroke = ctypes.c_int(), ctypes.c_int()
    fillmode_ref, stroke_ref = ctypes.byref(fillmode), ctypes.byref(stroke)
    x, y = ctypes.c_float(), ctypes.c_float()
    x_ref, y_ref = ctypes.byref(x), ctypes.byref(y)
    width = ctypes.c_float()
    width_ref = ctypes.byref(width)
    rgba = [ctypes.c_uint() for _ in range(4)]
    rgba_refs = [ctypes.byref(v) for v in rgba]
    own = pdfium_c.FS_MATRIX()
    moveto, bezier = pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_BEZIERTO
    # declared without argument types (``pdfium_calls._unchecked``): the path as c_void_p, segments as returned
    get_segment, get_type, get_point, get_close = (calls.path_segment_unchecked, calls.segment_type_unchecked,
                                                   calls.segment_point_unchecked, calls.segment_closes_unchecked)
    matrices: dict[tuple, Matrix] = {}  # (the path's matrix as pdfium gives it, the forms') -> to the page

    def colour(get, obj: int) -> tuple[float, ...]:
        get(obj, *rgba_refs)
        return (rgba[0].value / 255, rgba[1].value / 255, rgba[2].value / 255)

    for obj, outer in paths:
        calls.object_matrix(obj, own)
        placed = (own.a, own.b, own.c, own.d, own.e, own.f, outer)
        matrix = matrices.get(placed)
        if matrix is None:
            matrix = matrices[placed] = _mult(_mult(_matrix(own), outer), ctm)
        ma, mb, mc, md, me, mf = matrix
        calls.path_draw_mode(obj, fillmode_ref, stroke_ref)
        calls.object_stroke_width(obj, width_ref)
        style = {"linewidth": _r(width.value), "stroke": bool(stroke.value), "fill": bool(fillmode.value),
                 "evenodd": fillmode.value == pdfium_c.FPDF_FILLMODE_ALTERNATE,
                 "stroking_color": colour(calls.object_stroke_color, obj),
                 "non_stroking_color": colour(calls.object_fill_color, obj)}
        subpath: list[tuple[str, tuple[float, float]]] = []
        path = ctypes.c_void_p(obj)
        for j in range(calls.path_count_segments(obj)):
            segment = get_segment(path, j)
            kind = get_type(segment)
            get_point(segment, x_ref, y_ref)
            px, py = round(x.value * 10000.0) / 10000.0, round(y.value * 10000.0) / 10000.0  # round(v, 4), as in _chars
            point = (ma * px + mc * py + me, mb * px + md * py + mf)  # _apply(matrix, px, py)
            if kind == moveto:
                if subpath:
                    yield from _painted(subpath, style, height, page_number, doctop)
                subpath = [("m", point)]
                continue
            op = "c" if kind == bezier else "l"
            subpath.append((op, point))
            if get_close(segment):
                subpath.append(("h", subpath[0][1]))
        if subpath:
            yield from _painted(subpath, style, height, page_number, doctop)


def _painted(path: list[tuple[str, tuple[float, float]]], style: dict, height: float, page_number: int,
             doctop: float) -> Iterator[tuple[str, dict]]:
    """One subpath as pdfminer paints it (``PDFLayoutAnalyzer.paint_path``)."""
    # a Bézier curve is three pdfium segments and one pdfminer operator whose point is its last
    ops: list[str] = []
    pts: list[tuple[float, float]] = []
    run = 0
    for op, point in path:
        if op == "c":
            run += 1
            if run % 3:
                continue
        else:
            run = 0
        ops.append(op)
        pts.append(point)
    shape = "".join(ops)
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts.pop()
        pts[-1] = pts[0]
    if shape in {"mlh", "ml"}:
        kind = "line"
        pts = pts[:2]
    elif shape in {"mlllh", "mllll"}:
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        closed = pts[0] == pts[4]
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
        kind = "rect" if closed and square else "curve"
        if kind == "rect":
            pts = [pts[0], pts[2]]
    else:
        kind = "curve"
    if shape[:1] != "m":
        return
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    obj = {"x0": x0, "y0": y0, "x1": x1, "y1": y1, "width": x1 - x0, "height": y1 - y0,
           "pts": [(px, height - py) for px, py in (pts if kind != "rect" else _corners(pts))],
           **style, "object_type": kind, "page_number": page_number, "dash": None,
           "top": height - y1, "bottom": height - y0, "doctop": doctop + height - y1}
    yield kind, obj


def _corners(pts: list[tuple[float, float]]) -> list[tuple[float, float]]:
    (x0, y0), (x1, y1) = pts
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
