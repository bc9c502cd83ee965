"""pdfplumber's ``Page.dedupe_chars`` without its quadratic last step.

Some generators print every glyph twice; pdfplumber's ``dedupe_chars`` keeps one character of each cluster
of same-text, same-font characters within a point of each other. It then restores the page order with
``sorted(kept, key=chars.index)``: a linear scan per character, which took a third of the PDF reading
time on the shared reports (~60 ms a page). The characters kept here are pdfplumber's
(``pdfplumber.utils.dedupe_chars``' clustering, unchanged); only the ordering looks each one's first equal
character up in a table instead of scanning.
"""

from __future__ import annotations

import itertools
from operator import itemgetter

from pdfplumber.page import FilteredPage, Page
from pdfplumber.utils.clustering import cluster_objects


def deduped(page: Page, tolerance: float = 1, extra_attrs: tuple[str, ...] = ("fontname", "size")) -> FilteredPage:
    """The page with duplicate characters removed, as ``page.dedupe_chars()`` gives it."""
    result = FilteredPage(page, lambda _: True)
    result._objects = dict(page.objects)
    result._objects["char"] = dedupe_chars(page.chars, tolerance, extra_attrs)
    return result


def dedupe_chars(chars: list[dict], tolerance: float = 1,
                 extra_attrs: tuple[str, ...] = ("fontname", "size")) -> list[dict]:
    key = itemgetter("upright", "text", *extra_attrs)
    pos_key = itemgetter("doctop", "x0")
    kept = []
    for _, group in itertools.groupby(sorted(chars, key=key), key=key):
        for y_cluster in cluster_objects(list(group), itemgetter("doctop"), tolerance):
            for x_cluster in cluster_objects(y_cluster, itemgetter("x0"), tolerance):
                kept.append(sorted(x_cluster, key=pos_key)[0])
    return sorted(kept, key=_first_index(chars))


def _first_index(chars: list[dict]):
    """``chars.index`` (the first character equal to the one given) by a table of positions."""
    by_place: dict[tuple, list[int]] = {}
    for i, char in enumerate(chars):
        by_place.setdefault((char["doctop"], char["x0"], char["text"]), []).append(i)

    def index(char: dict) -> int:
        return next(i for i in by_place[(char["doctop"], char["x0"], char["text"])] if chars[i] == char)

    return index
