"""The ruling edges the table finder works from (ingest/renderings/pdf_edges.py) and the intersections it
finds in them (pdf_cells.intersections_of) are pdfplumber's: the same dicts, key by key and value by value,
in the same order, on every page of the shared real PDFs (with and
without their white cell fills) and on rules drawn to snap, join and chain within the tolerances."""

from __future__ import annotations

import random
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pdfplumber.table import TableFinder

from ingest.renderings import pdf as reader
from ingest.renderings.pdf_cells import _Finder
from ingest.renderings.pdf_edges import page_edges
from ingest.renderings.pdf_pdfium import PdfiumPage, read_page
from ingest.renderings.pdf_tables import _white_fill, visible_rules

PDFS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "pdf"


def _items(edges: list[dict]) -> list[list[tuple]]:
    return [list(e.items()) for e in edges]


def _same_intersections(finder, reference) -> bool:
    """The same points in the same order, each with the same edges in the same order."""
    ours, theirs = finder.intersections, reference.intersections
    return list(ours) == list(theirs) and all(_items(ours[p][k]) == _items(theirs[p][k])
                                              for p in theirs for k in ("v", "h"))


def _visible_pages(path: Path):
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        for index in range(len(document)):
            yield lambda index=index: reader._visible(read_page(document, index)[0], {}, index + 1)
    finally:
        document.close()


def test_edges_equal_pdfplumber_s_on_every_shared_page():
    pdfs = sorted(PDFS.glob("*.pdf"))
    if not pdfs:
        pytest.skip(f"real corpus not available at {PDFS}")
    n_edges = n_white = 0
    for path in pdfs:
        for fresh in _visible_pages(path):
            ours, theirs = fresh(), fresh()  # two readings of the page: pdfplumber caches edges on it
            assert _items(page_edges(ours)) == _items(theirs.edges), path.name
            finder, reference = _Finder(ours), TableFinder(theirs)
            assert _items(finder.edges) == _items(reference.edges), path.name
            assert _same_intersections(finder, reference), path.name
            n_edges += len(ours.edges)
            if any(_white_fill(r) for r in ours.rects):  # the visible rules: the page's edges but the fills'
                rules = visible_rules(ours)
                reference = fresh().filter(lambda obj: not _white_fill(obj))
                assert _items(rules.edges) == _items(reference.edges), path.name
                assert _items(_Finder(rules).edges) == _items(TableFinder(reference).edges), path.name
                n_white += 1
    assert n_edges > 10_000 and n_white > 10  # pages were read, and some paint white cell backgrounds


def _rule(kind: str, x0: float, top: float, x1: float, bottom: float, **style) -> dict:
    obj = {"x0": x0, "y0": 800 - bottom, "x1": x1, "y1": 800 - top, "width": x1 - x0, "height": bottom - top,
           "pts": [(x0, top), (x1, bottom)], "linewidth": 0.5, "stroke": True, "fill": False, "evenodd": False,
           "stroking_color": (0.0, 0.0, 0.0), "non_stroking_color": (0.0, 0.0, 0.0), "object_type": kind,
           "page_number": 1, "dash": None, "top": top, "bottom": bottom, "doctop": top}
    obj.update(style)
    return obj


@pytest.mark.parametrize("seed", range(25))
def test_edges_equal_pdfplumber_s_on_drawn_rules(seed):
    """Rules a few tenths of a point apart (snapped to an average that is not any of theirs), segments of
    one rule that meet, overlap or stop short of the join tolerance, thin and white rectangles, curves."""
    rng = random.Random(seed)
    xs = [50.0, 50.1, 50.7, 53.2, 120.0, 120.3333, 123.0, 300.0]
    ys = [100.0, 100.2, 102.9, 130.0, 130.1, 160.0, 163.5]
    lines, rects, curves = [], [], []
    for _ in range(rng.randint(5, 60)):
        x, y = rng.choice(xs), rng.choice(ys)
        length = rng.choice([0.5, 2.0, 2.9, 3.0, 40.0, 80.0])
        if rng.random() < 0.5:
            lines.append(_rule("line", x, y, x + length, y))
        else:
            lines.append(_rule("line", x, y, x, y + length))
    for _ in range(rng.randint(0, 20)):
        x, y = rng.choice(xs), rng.choice(ys)
        w, h = rng.choice([0.3, 20.0, 70.0]), rng.choice([0.3, 12.0, 30.0])
        white = rng.random() < 0.5
        rects.append(_rule("rect", x, y, x + w, y + h, fill=True, stroke=not white,
                           non_stroking_color=(1.0, 1.0, 1.0) if white else (0.0, 0.0, 0.0)))
    for _ in range(rng.randint(0, 3)):
        x, y = rng.choice(xs), rng.choice(ys)
        curve = _rule("curve", x, y, x + 30, y + 30)
        curve["pts"] = [(x, y), (x + 30, y), (x + 30, y + 30)]
        curves.append(curve)

    def page() -> PdfiumPage:
        return PdfiumPage({"line": list(lines), "rect": list(rects), "curve": list(curves)}, 1,
                          (0.0, 0.0, 600.0, 800.0), 0)

    ours, theirs = page(), page()
    assert _items(page_edges(ours)) == _items(theirs.edges)
    finder, reference = _Finder(ours), TableFinder(theirs)
    assert _items(finder.edges) == _items(reference.edges)
    assert _same_intersections(finder, reference)
    assert [t.cells for t in _Finder(page()).tables] == [t.cells for t in TableFinder(page()).tables]


def test_merging_intersections_and_clusters_equal_pdfplumber_s_on_random_edges():
    """Edges with and without ``doctop``/``y0``, a signed zero, tolerances of 0 and more, empty lists:
    ``merge_edges``, ``intersections_of`` and ``cluster_objects`` give pdfplumber's lists, item for item
    (``repr``, so that -0.0 and 0.0 count apart)."""
    from operator import itemgetter

    from pdfplumber.table import edges_to_intersections
    from pdfplumber.table import merge_edges as reference_merge
    from pdfplumber.utils import cluster_objects as reference_clusters

    from ingest.renderings.pdf_cells import intersections_of
    from ingest.renderings.pdf_dedupe import cluster_objects
    from ingest.renderings.pdf_edges import merge_edges

    rng = random.Random(7)

    def edge(orientation: str) -> dict:
        x, top = rng.choice([10.0, 10.1, 10.5, 13.0, 50.0, 50.3, -0.0, 0.0]), rng.choice([5.0, 5.2, 5.9, 8.0, 30.0])
        length = rng.choice([0.5, 1.0, 3.0, 20.0])
        if orientation == "h":
            e = {"x0": x, "x1": x + length, "top": top, "bottom": top, "width": length, "height": 0}
        else:
            e = {"x0": x, "x1": x, "top": top, "bottom": top + length, "width": 0, "height": length}
        if rng.random() < 0.5:
            e.update(doctop=top + 100, y0=800 - e["bottom"], y1=800 - e["top"])
        e["orientation"] = orientation
        return e

    for trial in range(1500):
        edges = [edge(rng.choice("vh")) for _ in range(rng.randint(0, 15))]
        tolerances = [rng.choice([0, 0.5, 1, 3]) for _ in range(4)]
        assert repr(_items(merge_edges(edges, *tolerances))) == repr(_items(reference_merge(edges, *tolerances))), trial
        x_tolerance, y_tolerance = rng.choice([0, 1, 3]), rng.choice([0, 1, 3])
        ours, theirs = intersections_of(edges, x_tolerance, y_tolerance), edges_to_intersections(edges, x_tolerance,
                                                                                                y_tolerance)
        assert repr(list(ours)) == repr(list(theirs)), trial
        assert all(repr(_items(ours[p][k])) == repr(_items(theirs[p][k])) for p in theirs for k in "vh"), trial
        tolerance = rng.choice([0, 1, 3])
        assert repr([_items(c) for c in cluster_objects(edges, "top", tolerance)]) == repr(
            [_items(c) for c in reference_clusters(edges, itemgetter("top"), tolerance)]), trial
