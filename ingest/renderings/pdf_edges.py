"""The ruling edges pdfplumber's table finder works from, built without its generic per-edge copies.

pdfplumber turns every line, rectangle and curve of a page into edges (``Container.edges``; a rectangle's
four by ``rect_to_edges``), then snaps the edges within a tolerance of each other to their average and joins
those that continue one another (``merge_edges``). Its helpers copy each edge through a tuple of all its
items (``move_object``, ``resize_object``) and cluster through generic key functions: on pages of
spreadsheet exports, which paint a rectangle under every cell, that was a tenth of reading a page of the
shared reports (docs/BENCHMARKS.md). The functions here give the same edges, equal key by key and value by
value, in the same order: the same sums and differences of the same numbers in the same order, written as
dict displays and copies instead of item tuples. ``tests/test_pdf_edges.py`` compares them with pdfplumber's.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from operator import itemgetter

from pdfplumber.utils import curve_to_edges, line_to_edge

from ingest.renderings.pdf_dedupe import cluster_objects

Edge = dict


def page_edges(page) -> list[Edge]:
    """``page.edges``: its lines', rectangles' and curves' edges, kept on the page as pdfplumber keeps them
    (``_edges``), so later readers of ``page.edges`` get the same list."""
    edges = getattr(page, "_edges", None)
    if edges is None:
        rect_edges = [edge for rect in page.rects for edge in rect_to_edges(rect)]
        edges = page._edges = [*map(line_to_edge, page.lines), *rect_edges,
                               *(edge for curve in page.curves for edge in curve_to_edges(curve))]
    return edges


def rect_to_edges(rect: dict) -> list[Edge]:
    """``pdfplumber.utils.rect_to_edges``: top, bottom, left and right edge, each the rectangle's items with
    its own changed (existing keys keep their place; ``orientation`` comes last, as after ``dict.update``)."""
    top, height = rect["top"], rect["height"]
    return [
        {**rect, "object_type": "rect_edge", "height": 0, "y0": rect["y1"], "bottom": top, "orientation": "h"},
        {**rect, "object_type": "rect_edge", "height": 0, "y1": rect["y0"], "top": top + height,
         "doctop": rect["doctop"] + height, "orientation": "h"},
        {**rect, "object_type": "rect_edge", "width": 0, "x1": rect["x0"], "orientation": "v"},
        {**rect, "object_type": "rect_edge", "width": 0, "x0": rect["x1"], "orientation": "v"},
    ]


def merge_edges(edges: list[Edge], snap_x_tolerance: float, snap_y_tolerance: float, join_x_tolerance: float,
                join_y_tolerance: float) -> list[Edge]:
    """``pdfplumber.table.merge_edges``: vertical edges snapped by x and horizontal ones by y, then the
    edges of each line joined where they meet."""
    if snap_x_tolerance > 0 or snap_y_tolerance > 0:
        vertical = [e for e in edges if e["orientation"] == "v"]
        horizontal = [e for e in edges if e["orientation"] == "h"]
        if len(vertical) + len(horizontal) != len(edges):
            raise KeyError("an edge whose orientation is neither 'v' nor 'h'")  # as pdfplumber's snap_edges
        edges = (_snapped(vertical, "x0", snap_x_tolerance, _moved_across)
                 + _snapped(horizontal, "top", snap_y_tolerance, _moved_down))
    joined: list[Edge] = []
    for (orientation, _), group in itertools.groupby(sorted(edges, key=_line_of), key=_line_of):
        joined += _joined(group, orientation, join_x_tolerance if orientation == "h" else join_y_tolerance)
    return joined


def filter_edges(edges: list[Edge], orientation: str | None = None, min_length: float = 1) -> list[Edge]:
    """``pdfplumber.utils.filter_edges`` without an edge type: the edges of that orientation at least
    ``min_length`` long."""
    return [e for e in edges if (orientation is None or e["orientation"] == orientation)
            and e["height" if e["orientation"] == "v" else "width"] >= min_length]


def _line_of(edge: Edge) -> tuple[str, float]:
    return ("h", edge["top"]) if edge["orientation"] == "h" else ("v", edge["x0"])


def _snapped(edges: list[Edge], attr: str, tolerance: float,
             moved: Callable[[Edge, float], Edge]) -> list[Edge]:
    """``pdfplumber.utils.snap_objects``: each cluster of edges moved to its average of ``attr``."""
    out = []
    for cluster in cluster_objects(edges, attr, tolerance):
        average = sum(e[attr] for e in cluster) / len(cluster)
        out += [moved(e, average - e[attr]) for e in cluster]
    return out


def _joined(edges: Iterable[Edge], orientation: str, tolerance: float) -> list[Edge]:
    """``pdfplumber.table.join_edge_group``: the edges of one line in order, each that starts within
    ``tolerance`` of the end of the one before extending it."""
    start, end = ("x0", "x1") if orientation == "h" else ("top", "bottom")
    extended = _extended_across if orientation == "h" else _extended_down
    ordered = sorted(edges, key=itemgetter(start))
    joined = [ordered[0]]
    for e in ordered[1:]:
        last = joined[-1]
        if e[start] <= last[end] + tolerance:
            if e[end] > last[end]:
                joined[-1] = extended(last, e[end])
        else:
            joined.append(e)
    return joined


def _extended_across(edge: Edge, x1: float) -> Edge:
    """``pdfplumber.utils.resize_object(edge, "x1", x1)``."""
    out = dict(edge)
    out["x1"] = x1
    out["width"] = x1 - edge["x0"]
    return out


def _extended_down(edge: Edge, bottom: float) -> Edge:
    """``pdfplumber.utils.resize_object(edge, "bottom", bottom)``."""
    diff = bottom - edge["bottom"]
    out = dict(edge)
    out["bottom"] = bottom
    out["height"] = edge["height"] + diff
    if "y0" in edge:
        out["y0"] = edge["y0"] - diff
    return out


def _moved_across(edge: Edge, value: float) -> Edge:
    """``pdfplumber.utils.move_object(edge, "h", value)``."""
    out = dict(edge)
    out["x0"] = edge["x0"] + value
    out["x1"] = edge["x1"] + value
    return out


def _moved_down(edge: Edge, value: float) -> Edge:
    """``pdfplumber.utils.move_object(edge, "v", value)``."""
    out = dict(edge)
    out["top"] = edge["top"] + value
    out["bottom"] = edge["bottom"] + value
    if "doctop" in edge:
        out["doctop"] = edge["doctop"] + value
    if "y0" in edge:
        out["y0"] = edge["y0"] - value
        out["y1"] = edge["y1"] - value
    return out
