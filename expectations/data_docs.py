"""Great Expectations Data Docs that open offline and last as long as a finding links to them.

GX renders each refresh's validations into a staging site (its templates load Bootstrap, jQuery, Vega and
Font Awesome from CDNs, and its site builder deletes the pages of validations it no longer holds). Each
rule's validation page is then kept as ``runs/<refresh>/<rule_id>.html`` with every remote stylesheet,
script and image removed and the stylesheet shipped with this package (``data_docs_static/offline.css``)
linked instead; the page's content (the failing rows with their identity columns) is static HTML, so it
reads the same without a network. ``index.html`` is written here, listing every kept refresh and rule.

Pages are pruned by ``prune``: a refresh's folder goes once no finding links to it and it is not among the
newest ``FISCAL_KEEP_DATA_DOCS`` (default 3) refreshes.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import lxml.html

STATIC = Path(__file__).with_name("data_docs_static")
STYLESHEET = "offline.css"
RUNS = "runs"
SITE = "integrity"  # the GX site name
KEEP_LATEST = 3


def staging_site(docs_dir: Path) -> Path:
    """A fresh folder for GX to render one refresh's site into (removed once its pages are kept)."""
    site = docs_dir / ".staging" / uuid.uuid4().hex
    site.mkdir(parents=True)
    return site


def keep_pages(context, site: Path, docs_dir: Path, outcomes: dict[str, tuple[object, int, int]]) -> dict[str, str]:
    """Render the validations (rule_id -> (GX identifier, rows validated, rows failing)) into ``site``, keep
    each rule's page as an offline copy under ``runs/<refresh>/`` and return rule_id -> its file URL."""
    context.build_data_docs(site_names=[SITE])
    refresh = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + uuid.uuid4().hex[:6]
    folder = docs_dir / RUNS / refresh
    folder.mkdir(parents=True)
    install_static(docs_dir)
    pages, listed = {}, []
    for rule_id, (identifier, n_rows, n_failing) in sorted(outcomes.items()):
        urls = context.get_docs_sites_urls(resource_identifier=identifier, site_name=SITE)
        source = next((u["site_url"] for u in urls if u.get("site_url")), "")
        path = Path(source.removeprefix("file://"))
        if not path.exists():
            continue
        page = folder / f"{rule_id}.html"
        page.write_text(offline(path.read_text(encoding="utf-8"), f"../../static/{STYLESHEET}"), encoding="utf-8")
        pages[rule_id] = page.resolve().as_uri()
        listed.append({"rule_id": rule_id, "page": page.name, "rows": n_rows, "failing": n_failing})
    (folder / "run.json").write_text(json.dumps({"refresh": refresh, "rules": listed}, ensure_ascii=False, indent=1),
                                     encoding="utf-8")
    shutil.rmtree(site, ignore_errors=True)
    write_index(docs_dir)
    return pages


def install_static(docs_dir: Path) -> None:
    target = docs_dir / "static"
    target.mkdir(parents=True, exist_ok=True)
    for asset in STATIC.iterdir():
        shutil.copyfile(asset, target / asset.name)


def is_remote(url: str | None) -> bool:
    return bool(url) and url.strip().lower().startswith(("http://", "https://", "//"))


def offline(page: str, stylesheet: str) -> str:
    """The page without anything it would fetch from the network (stylesheets, scripts, images, icons), and
    with the bundled stylesheet; inline scripts that need the removed libraries are removed too."""
    tree = lxml.html.document_fromstring(page)
    for element in list(tree.iter("link", "script", "img", "iframe", "source")):
        remote = is_remote(element.get("href")) or is_remote(element.get("src"))
        local_asset = element.tag == "link" or (element.tag == "script" and element.get("src"))
        if remote or local_asset or element.tag == "script":
            element.drop_tree()
    for anchor in tree.iter("a"):  # GX's links to its site's index: the kept pages' index is two levels up
        if (anchor.get("href") or "").endswith("index.html") and not is_remote(anchor.get("href")):
            anchor.set("href", "../../index.html")
    head = tree.find("head")
    if head is None:
        head = lxml.html.Element("head")
        tree.insert(0, head)
    link = lxml.html.Element("link", rel="stylesheet", href=stylesheet)
    head.append(link)
    for element in tree.iter():  # inline styles importing remote fonts or images
        style = element.get("style")
        if style and "url(" in style and ("http:" in style or "https:" in style):
            del element.attrib["style"]
    for style in tree.iter("style"):
        if style.text and ("http:" in style.text or "https:" in style.text):
            style.drop_tree()
    return "<!DOCTYPE html>\n" + lxml.html.tostring(tree, encoding="unicode", method="html")


def runs(docs_dir: Path) -> list[dict]:
    """Every kept refresh, newest first, with its rules (run.json)."""
    found = []
    for manifest in (docs_dir / RUNS).glob("*/run.json"):
        try:
            found.append(json.loads(manifest.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return sorted(found, key=lambda run: run["refresh"], reverse=True)


def write_index(docs_dir: Path) -> Path:
    """index.html: every kept refresh and its rules' pages, rows validated and failing; no script, no CDN."""
    from expectations.catalog import rules

    catalog = rules()
    parts = ["<!DOCTYPE html>", '<html lang="zh"><head><meta charset="utf-8">',
             "<title>Integrity validations (Great Expectations)</title>",
             f'<link rel="stylesheet" href="static/{STYLESHEET}"></head><body>',
             "<h1>Integrity validations</h1>",
             "<p>One Great Expectations validation per rule and refresh, over the comparisons whose printed and "
             "expected values differ; a failing row names its document, unit, table, row, column, printed and "
             "expected value. Pages stay while a finding links to them.</p>"]
    for run in runs(docs_dir):
        parts.append(f"<h2>Refresh {html.escape(run['refresh'])}</h2>")
        parts.append("<table><thead><tr><th>rule</th><th>名称</th><th>severity</th><th>rows validated</th>"
                     "<th>failing</th></tr></thead><tbody>")
        for item in run["rules"]:
            rule = catalog.get(item["rule_id"])
            href = f"{RUNS}/{run['refresh']}/{item['page']}"
            status = "failed" if item["failing"] else "passed"
            parts.append(
                f'<tr class="{status}"><td><a href="{html.escape(href)}">{html.escape(item["rule_id"])}</a></td>'
                f"<td>{html.escape(rule.name_zh if rule else '')}</td><td>{html.escape(rule.severity if rule else '')}"
                f"</td><td>{item['rows']}</td><td>{item['failing']}</td></tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    install_static(docs_dir)
    index = docs_dir / "index.html"
    index.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return index


def keep_latest() -> int:
    return max(0, int(os.environ.get("FISCAL_KEEP_DATA_DOCS", KEEP_LATEST)))


def prune(docs_dir: Path, linked: set[str], keep: int | None = None) -> list[str]:
    """Remove the refresh folders no finding links to (``linked``: data_docs_page URLs or paths), except the
    newest ``keep``; also GX's own pages and staging sites of earlier versions. Returns the refreshes removed."""
    keep = keep_latest() if keep is None else keep
    root = docs_dir / RUNS
    if not root.exists():
        return []
    wanted = {Path(str(p).removeprefix("file://")).parent.name for p in linked if p}
    folders = sorted((f for f in root.iterdir() if f.is_dir()), key=lambda f: f.name, reverse=True)
    removed = []
    for index, folder in enumerate(folders):
        if index >= keep and folder.name not in wanted:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    for leftover in ("validations", "expectations", ".staging"):  # GX's site layout (before pages were kept)
        shutil.rmtree(docs_dir / leftover, ignore_errors=True)
    write_index(docs_dir)
    return removed
