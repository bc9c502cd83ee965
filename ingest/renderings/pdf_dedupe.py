"""pdfplumber's ``Page.dedupe_chars`` without its quadratic last step, and its ``within_bbox`` crop of a whole
page without its per-object overhead.

Some generators print every glyph twice; pdfplumber's ``dedupe_chars`` keeps one character of each cluster
of same-text, same-font characters within a point of each other. It then restores the page order with
``sorted(kept, key=chars.index)``: a linear scan per character, which took a third of the PDF reading
time on the shared reports (~60 ms a page). The characters kept here are pdfplumber's,
by its clustering (``cluster_objects``, rewritten without its generic overhead: groups of one character,
most of a page, need none), and the order looks each one's first equal character up in a table instead of
scanning.
"""

from __future__ import annotations

from operator import itemgetter

from pdfplumber.page import FilteredPage, Page


def within_page(page: Page) -> FilteredPage:
    """The page with only the objects wholly inside its box, as ``page.within_bbox(page.bbox)`` gives it
    (pdfplumber's ``within_bbox`` test, written out: a box wholly inside, of some width or height)."""
    result = FilteredPage(page, lambda _: True)
    result._objects = {kind: within_box(objects, page.bbox) for kind, objects in page.objects.items()}
    return result


def within_box(objects: list[dict], bbox: tuple[float, float, float, float]) -> list[dict]:
    """The objects wholly inside ``bbox`` (x0, top, x1, bottom), of some width or height."""
    left, top, right, bottom = bbox
    return [o for o in objects if left <= o["x0"] and o["x1"] <= right and top <= o["top"]
            and o["bottom"] <= bottom and (o["x1"] - o["x0"]) + (o["bottom"] - o["top"]) > 0]


def deduped(page: Page, tolerance: float = 1, extra_attrs: tuple[str, ...] = ("fontname", "size")) -> FilteredPage:
    """The page with duplicate characters removed, as ``page.dedupe_chars()`` gives it."""
    result = FilteredPage(page, lambda _: True)
    result._objects = dict(page.objects)
    result._objects["char"] = dedupe_chars(page.chars, tolerance, extra_attrs)
    return result


def dedupe_chars(chars: list[dict], tolerance: float = 1,
                 extra_attrs: tuple[str, ...] = ("fontname", "size")) -> list[dict]:
    """The characters ``pdfplumber.utils.dedupe_chars`` keeps, in its order."""
    key = itemgetter("upright", "text", *extra_attrs)
    groups: dict[tuple, list[dict]] = {}
    for char in chars:  # in page order within a group, as pdfplumber's stable sort leaves them
        groups.setdefault(key(char), []).append(char)
    kept = []
    for group in groups.values():
        if len(group) == 1 or _apart(group, tolerance):
            kept.extend(group)
            continue
        for y_cluster in cluster_objects(group, "doctop", tolerance):
            for x_cluster in cluster_objects(y_cluster, "x0", tolerance):
                kept.append(min(x_cluster, key=_position))  # the first of the lowest (doctop, x0)
    if len(kept) == len(chars):  # nothing printed twice (most pages): the page order as it was
        return list(chars)
    return sorted(kept, key=_first_index(chars))


def _apart(group: list[dict], tolerance: float) -> bool:
    """No two characters of the group within ``tolerance`` of each other along x: then no cluster of
    ``cluster_objects`` by x (of any part of the group) holds two of them, and each is kept (gaps between a part's
    neighbours are sums of the group's)."""
    xs = sorted(char["x0"] for char in group)
    return all(b > a + tolerance for a, b in zip(xs, xs[1:], strict=False))  # as ``cluster_objects`` chains them


def _position(char: dict) -> tuple[float, float]:
    return char["doctop"], char["x0"]


def cluster_objects(objects: list[dict], attr: str, tolerance: float) -> list[list[dict]]:
    """``pdfplumber.utils.cluster_objects``: the distinct values sorted and chained while each is within
    ``tolerance`` of the one before; the objects of each chain in their order, chains in value order."""
    if len(objects) == 1:
        return [objects]
    chain: dict[float, int] = {}
    last = None
    n = 0
    for value in sorted({o[attr] for o in objects}):
        if last is not None and value > last + tolerance:
            n += 1
        chain[value] = n
        last = value
    buckets: dict[int, list[dict]] = {}
    for o in objects:
        buckets.setdefault(chain[o[attr]], []).append(o)
    return [buckets[k] for k in sorted(buckets)]


def _first_index(chars: list[dict]):
    """``chars.index`` (the first character equal to the one given) by a table of positions."""
    by_place: dict[tuple, list[int]] = {}
    for i, char in enumerate(chars):
        by_place.setdefault((char["doctop"], char["x0"], char["text"]), []).append(i)

    def index(char: dict) -> int:
        return next(i for i in by_place[(char["doctop"], char["x0"], char["text"])] if chars[i] == char)

    return index
