"""Text a PDF carries but does not show: characters outside the clipping path of their text object.

Some generators lay a text box's whole content onto the page and clip it to the box; what overflows is
printed again on the next page. A text layer read without the clip (pdfminer, hence pdfplumber, ignores
clipping paths) holds the overflow twice, once invisibly. pdfium reports each text object's clipping path;
its paths are intersected as rectangles (clipping paths of text are rectangles in practice), and a
character whose centre lies in a clipped object's box but outside that rectangle is not on the page.
"""

from __future__ import annotations

import ctypes

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

Box = tuple[float, float, float, float]  # x0, top, x1, bottom (points from the top left, as pdfplumber)


def clipped_text_regions(data: bytes) -> dict[int, list[tuple[Box, Box]]]:
    """Per page number (1-based): (text object box, visible rectangle) of each text object that its clipping
    path cuts. Pages without clipped text are absent."""
    regions: dict[int, list[tuple[Box, Box]]] = {}
    document = pdfium.PdfDocument(data)
    try:
        for index in range(len(document)):
            page = document[index]
            found = page_clipped_regions(page)
            if found:
                regions[index + 1] = found
    finally:
        document.close()
    return regions


def page_clipped_regions(page: pdfium.PdfPage) -> list[tuple[Box, Box]]:
    """(text object box, visible rectangle) of each text object on the page that its clipping path cuts."""
    found = []
    height = page.get_size()[1]
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    bounds = [ctypes.byref(v) for v in (left, bottom, right, top)]
    point = (ctypes.c_float(), ctypes.c_float())
    for obj in text_objects(page.raw):
        visible = _clip_rectangle(obj, height, point)
        if visible is None:
            continue
        pdfium_c.FPDFPageObj_GetBounds(obj, *bounds)
        box = (left.value, height - top.value, right.value, height - bottom.value)
        if box[0] < visible[0] - 1 or box[1] < visible[1] - 1 or box[2] > visible[2] + 1 \
                or box[3] > visible[3] + 1:
            found.append((box, visible))
    return found


def text_objects(container, depth: int = 0):
    """The text objects of a page and of the form objects on it (as deep as pypdfium2's
    ``get_objects``)."""
    count, get = ((pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject) if depth == 0
                  else (pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject))
    for i in range(count(container)):
        obj = get(container, i)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            yield obj
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < 14:
            yield from text_objects(obj, depth + 1)


def _clip_rectangle(obj, height: float, point=None) -> Box | None:
    """The rectangle the object's clipping paths leave visible (their boxes intersected); ``point`` is a
    pair of c_float to read points into (reused over a page's objects)."""
    clip = pdfium_c.FPDFPageObj_GetClipPath(obj)
    if not clip:
        return None
    x, y = point or (ctypes.c_float(), ctypes.c_float())
    x_ref, y_ref = ctypes.byref(x), ctypes.byref(y)
    get_segment, get_point = pdfium_c.FPDFClipPath_GetPathSegment, pdfium_c.FPDFPathSegment_GetPoint
    rectangle: list[float] | None = None
    for i in range(pdfium_c.FPDFClipPath_CountPaths(clip)):
        xs, ys = [], []
        for j in range(pdfium_c.FPDFClipPath_CountPathSegments(clip, i)):
            if get_point(get_segment(clip, i, j), x_ref, y_ref):
                xs.append(x.value)
                ys.append(height - y.value)
        if not xs:
            continue
        path = [min(xs), min(ys), max(xs), max(ys)]
        rectangle = path if rectangle is None else [max(rectangle[0], path[0]), max(rectangle[1], path[1]),
                                                    min(rectangle[2], path[2]), min(rectangle[3], path[3])]
    return None if rectangle is None else tuple(rectangle)


def is_clipped(char: dict, regions: list[tuple[Box, Box]]) -> bool:
    """The character overlaps a clipped text object (pdfium's box is the glyph's ink, pdfplumber's the font's
    full height, so they are compared by overlap) and its centre lies outside that object's visible rectangle."""
    cx, cy = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
    for box, visible in regions:
        overlaps = char["x0"] < box[2] and char["x1"] > box[0] and char["top"] < box[3] and char["bottom"] > box[1]
        if overlaps and not (visible[0] <= cx <= visible[2] and visible[1] <= cy <= visible[3]):
            return True
    return False
