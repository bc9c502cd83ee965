"""Text a PDF carries but does not show: characters outside the clipping path of their text object.

Some generators lay a text box's whole content onto the page and clip it to the box; what overflows is
printed again on the next page. A text layer read without the clip (pdfminer, hence pdfplumber, ignores
clipping paths) holds the overflow twice, once invisibly. pdfium reports each text object's clipping path;
its paths are intersected as rectangles (clipping paths of text are rectangles in practice), and a
character whose centre lies in a clipped object's box but outside that rectangle is not on the page.
"""

from __future__ import annotations

import ctypes
import math
from collections.abc import Callable

from ingest.renderings import pdfium_calls as calls

Box = tuple[float, float, float, float]  # x0, top, x1, bottom (points from the top left, as pdfplumber)
PdfBox = tuple[float, float, float, float]  # left, bottom, right, top (points from the bottom left, as pdfium)

GRID = 50.0  # points per side of the squares ``clip_test`` files the clipped objects' boxes under
INDEXED = 8  # clipped objects on a page from which ``clip_test`` files them (below, each is compared)
MAX_SQUARES = 2_000  # a box (a character) covering more squares is compared with every character (box)


def clipped_regions(objects: list[tuple[int, PdfBox]], height: float) -> list[tuple[Box, Box]]:
    """(text object box, visible rectangle) of each of the text objects (with their pdfium bounds) that its
    clipping path cuts, on a page ``height`` points high."""
    found = []
    point = (ctypes.c_float(), ctypes.c_float())
    rectangles: dict[tuple[int, ...], Box | None] = {}
    for obj, (left, bottom, right, top) in objects:
        visible = _clip_rectangle(obj, height, point, rectangles)
        if visible is None:
            continue
        box = (left, height - top, right, height - bottom)
        if box[0] < visible[0] - 1 or box[1] < visible[1] - 1 or box[2] > visible[2] + 1 \
                or box[3] > visible[3] + 1:
            found.append((box, visible))
    return found


def _clip_rectangle(obj: int, height: float, point=None,
                    rectangles: dict[tuple[int, ...], Box | None] | None = None) -> Box | None:
    """The rectangle the object's clipping paths leave visible (their boxes intersected); ``point`` is a
    pair of c_float to read points into (reused over a page's objects). The objects of a page share a few
    clipping paths: pdfium hands out the same segments for the same path, so ``rectangles`` keeps each
    rectangle by the first segment of each of its paths (valid while the page is open)."""
    clip = calls.object_clip_path(obj)
    if not clip:
        return None
    n_paths = calls.clip_count_paths(clip)
    if n_paths == 2:  # most text objects' (the page's clip and the object's own)
        key: tuple[int, ...] = (calls.clip_segment(clip, 0, 0) or 0, calls.clip_segment(clip, 1, 0) or 0)
    else:
        key = tuple(calls.clip_segment(clip, i, 0) or 0 for i in range(n_paths))
    if rectangles is not None and key in rectangles:
        return rectangles[key]
    x, y = point or (ctypes.c_float(), ctypes.c_float())
    x_ref, y_ref = ctypes.byref(x), ctypes.byref(y)
    get_segment, get_point = calls.clip_segment, calls.segment_point
    rectangle: list[float] | None = None
    for i in range(n_paths):
        xs, ys = [], []
        for j in range(calls.clip_count_segments(clip, i)):
            if get_point(get_segment(clip, i, j), x_ref, y_ref):
                xs.append(x.value)
                ys.append(height - y.value)
        if not xs:
            continue
        path = [min(xs), min(ys), max(xs), max(ys)]
        rectangle = path if rectangle is None else [max(rectangle[0], path[0]), max(rectangle[1], path[1]),
                                                    min(rectangle[2], path[2]), min(rectangle[3], path[3])]
    found = None if rectangle is None else tuple(rectangle)
    if rectangles is not None and all(key):
        rectangles[key] = found
    return found


def is_clipped(char: dict, regions: list[tuple[Box, Box]]) -> bool:
    """The character overlaps a clipped text object (pdfium's box is the glyph's ink, pdfplumber's the font's
    full height, so they are compared by overlap) and its centre lies outside that object's visible rectangle."""
    cx, cy = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
    for box, visible in regions:
        overlaps = char["x0"] < box[2] and char["x1"] > box[0] and char["top"] < box[3] and char["bottom"] > box[1]
        if overlaps and not (visible[0] <= cx <= visible[2] and visible[1] <= cy <= visible[3]):
            return True
    return False


def clip_test(regions: list[tuple[Box, Box]]) -> Callable[[dict], bool]:
    """``is_clipped(char, regions)`` as a function of the character, for every character of a page: a page may
    clip hundreds of text objects (a Shanghai budget book clips each of 934 cells on one page), so the objects'
    boxes are filed under the ``GRID``-point squares they cover and a character is compared only with the
    boxes filed under its own squares (a box it overlaps shares a square with it)."""
    if len(regions) < INDEXED or not all(math.isfinite(v) for box, _ in regions for v in box):
        return lambda char: is_clipped(char, regions)
    squares: dict[tuple[int, int], list[int]] = {}
    everywhere: list[int] = []
    for index, (box, _) in enumerate(regions):
        columns, rows = _squares(box[0], box[2]), _squares(box[1], box[3])
        if len(columns) * len(rows) > MAX_SQUARES:
            everywhere.append(index)
            continue
        for column in columns:
            for row in rows:
                squares.setdefault((column, row), []).append(index)

    def test(char: dict) -> bool:
        try:
            columns, rows = _squares(char["x0"], char["x1"]), _squares(char["top"], char["bottom"])
        except (OverflowError, ValueError):  # an infinite or undefined coordinate: no square to look in
            return is_clipped(char, regions)
        if len(columns) * len(rows) > MAX_SQUARES:  # a character as large as a page: every box is near
            return is_clipped(char, regions)
        near = set(everywhere)
        for column in columns:
            for row in rows:
                near.update(squares.get((column, row), ()))
        return bool(near) and is_clipped(char, [regions[i] for i in sorted(near)])

    return test


def _squares(low: float, high: float) -> range:
    return range(math.floor(low / GRID), math.floor(high / GRID) + 1)
