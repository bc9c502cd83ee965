"""pdfplumber's table finder with its cell search in linear time per intersection.

pdfplumber's ``intersections_to_cells`` looks, for every intersection of ruling edges, at every later
intersection to find the ones directly below and to the right of it, and rebuilds the sets of edges two
intersections share on every comparison: quadratic in a table's intersections, and a sixth of reading a
page of the shared reports (docs/BENCHMARKS.md). ``cells_of`` gives the same cells in the same order: the
intersections sorted as pdfplumber sorts them, those below one are the ones right after it with the same
x, those to its right the later ones of its row, and the edge sets are built once per intersection.
``find_tables`` is ``Page.find_tables`` with that search, the ruling edges of ``pdf_edges`` (the same
edges, built without pdfplumber's per-edge copies) and ``intersections_of`` (the same intersections, each
vertical edge compared only with the horizontal edges near its span); the grouping of cells into tables is
pdfplumber's own.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from operator import itemgetter

from pdfplumber.table import Table, TableFinder, TableSettings, cells_to_tables

from ingest.renderings.pdf_edges import filter_edges, merge_edges, page_edges

Point = tuple[float, float]
Cell = tuple[float, float, float, float]
_BBOX = itemgetter("x0", "top", "x1", "bottom")
# how far beyond the tolerance a horizontal edge's y may lie and still be compared with a vertical edge (the
# comparisons themselves are pdfplumber's, with its float rounding; this only skips edges certainly too far)
_MARGIN = 1.0


def intersections_of(edges: list[dict], x_tolerance: float = 1,
                     y_tolerance: float = 1) -> dict[Point, dict[str, list[dict]]]:
    """``pdfplumber.table.edges_to_intersections``: where a vertical edge meets a horizontal one, within the
    tolerances, the edges meeting there, in pdfplumber's order. pdfplumber compares every vertical edge with
    every horizontal one (sorting the horizontal ones again for each); here each vertical edge is compared
    only with the horizontal edges whose y lies within its span (found by bisection in one sorting)."""
    intersections: dict[Point, dict[str, list[dict]]] = {}
    vertical = sorted((e for e in edges if e["orientation"] == "v"), key=itemgetter("x0", "top"))
    horizontal = sorted((e for e in edges if e["orientation"] == "h"), key=itemgetter("top", "x0"))
    tops = [h["top"] for h in horizontal]
    for v in vertical:
        v_top, v_bottom, x = v["top"], v["bottom"], v["x0"]
        for h in horizontal[bisect_left(tops, v_top - y_tolerance - _MARGIN):
                            bisect_right(tops, v_bottom + y_tolerance + _MARGIN)]:
            top = h["top"]
            if v_top <= top + y_tolerance and v_bottom >= top - y_tolerance \
                    and x >= h["x0"] - x_tolerance and x <= h["x1"] + x_tolerance:
                meeting = intersections.get((x, top))
                if meeting is None:
                    meeting = intersections[(x, top)] = {"v": [], "h": []}
                meeting["v"].append(v)
                meeting["h"].append(h)
    return intersections


def cells_of(intersections: dict[Point, dict[str, list[dict]]]) -> list[Cell]:
    """The smallest closed cell whose top-left corner is each intersection, as pdfplumber's
    ``intersections_to_cells`` finds them."""
    bbox = _BBOX  # utils.obj_to_bbox, called in C
    vertical = {p: set(map(bbox, edges["v"])) for p, edges in intersections.items()}
    horizontal = {p: set(map(bbox, edges["h"])) for p, edges in intersections.items()}
    points = sorted(intersections)
    rows: dict[float, list[Point]] = {}
    for point in points:  # each row in x order, as the sorted points give them
        rows.setdefault(point[1], []).append(point)
    place = {point: k for row in rows.values() for k, point in enumerate(row)}
    cells = []
    n = len(points)
    for i, point in enumerate(points):
        x, y = point
        below = []
        j = i + 1
        while j < n and points[j][0] == x:
            below.append(points[j])
            j += 1
        right = rows[y][place[point] + 1:]
        if not below or not right:
            continue
        v, h = vertical[point], horizontal[point]
        cell = _smallest(v, h, below, right, vertical, horizontal)
        if cell is not None:
            cells.append((x, y, *cell))
    return cells


def _smallest(v: set, h: set, below: list[Point], right: list[Point], vertical: dict, horizontal: dict):
    for below_point in below:
        if v.isdisjoint(vertical[below_point]):
            continue
        for right_point in right:
            if h.isdisjoint(horizontal[right_point]):
                continue
            corner = (right_point[0], below_point[1])
            if corner in vertical and not vertical[corner].isdisjoint(vertical[right_point]) \
                    and not horizontal[corner].isdisjoint(horizontal[below_point]):
                return corner
    return None


class _Finder(TableFinder):
    """``TableFinder`` with ``cells_of`` for its cell search, and ``pdf_edges`` for its edges where it reads
    them from the page's lines (the default; other strategies are pdfplumber's own)."""

    def __init__(self, page, settings=None):
        self.page = page
        self.settings = TableSettings.resolve(settings)
        self.edges = self.get_edges()
        self.intersections = intersections_of(self.edges, self.settings.intersection_x_tolerance,
                                              self.settings.intersection_y_tolerance)
        self.cells = cells_of(self.intersections)
        self.tables = [Table(self.page, group) for group in cells_to_tables(self.cells)]

    def get_edges(self) -> list[dict]:
        settings = self.settings
        if settings.vertical_strategy != "lines" or settings.horizontal_strategy != "lines" \
                or settings.explicit_vertical_lines or settings.explicit_horizontal_lines:
            return super().get_edges()
        edges = page_edges(self.page)
        merged = merge_edges(filter_edges(edges, "v", settings.edge_min_length_prefilter)
                             + filter_edges(edges, "h", settings.edge_min_length_prefilter),
                             settings.snap_x_tolerance, settings.snap_y_tolerance,
                             settings.join_x_tolerance, settings.join_y_tolerance)
        return filter_edges(merged, min_length=settings.edge_min_length)


def find_tables(page, settings=None) -> list[Table]:
    """``page.find_tables(settings)``, with the cell search above."""
    return _Finder(page, settings).tables
