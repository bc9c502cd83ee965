"""Benchmark (not a test): real PDF pages per second per core, through each PDF reader, and on all cores.

    .venv/bin/python benchmarks/pdf_pages.py [--corpus ../shared/corpus/pdf] [--stages] [--instructions]

Reads every PDF of the corpus (the 15 shared real reports by default) and prints a markdown table:
pages, seconds and pages/s per core of ``parse_report_file`` (render + table parsers) with the pdfium
reader and with the pdfplumber reader, the pdfium reader's pages/s with the documents spread over every
core (a process pool, as ``ingest.parse_pool`` parses them), and how many pages pdfplumber read for the
pdfium reader (``RenderedReport.reference_pages``) and how many were given blanks playa read
(``blank_pages``). ``--stages`` adds where one core's time goes in the pdfium reader (CPU seconds per stage,
the stages timed around their functions).

The floor beside each figure: reading the page objects alone (pdfium characters + paths + clip paths,
``PdfiumDocument.pages``), the least any pdfium reading of these pages costs here.

``--instructions`` adds the instructions one pass of the pdfium reader executes (valgrind's cachegrind, in a
fresh interpreter, less its imports), and of the page objects alone: unlike seconds, the same count on a
busy or throttled machine, so two versions of the reader can be compared where a pass's time varies more
than they differ (a few minutes: valgrind runs ~30× slower).
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ingest.parse_report import parse_report_file  # noqa: E402
from ingest.reader import load_report_file  # noqa: E402
from ingest.renderings import pdf as pdf_reader  # noqa: E402
from ingest.renderings.pdf_pdfium import PdfiumDocument  # noqa: E402

PDF_CORPUS = REPO.parent / "shared" / "corpus" / "pdf"


def _use_reader(reader: str) -> None:
    original = getattr(pdf_reader.render_pdf, "original", pdf_reader.render_pdf)
    patched = functools.partial(original, reader=reader)
    patched.original = original  # type: ignore[attr-defined]
    pdf_reader.render_pdf = patched


def _parse(path: Path, reader: str) -> tuple[int, int]:
    _use_reader(reader)
    outcome = parse_report_file(load_report_file(path))
    return outcome.document["n_pages"] or 0, len(outcome.cells)


def _timed(pages_of) -> dict:
    """Wall and CPU seconds (this process) of reading; pages/s by each. On a machine other work shares,
    the CPU figure is this reader's own cost per core, the wall figure what it got."""
    wall, cpu = time.perf_counter(), time.process_time()
    pages = pages_of()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"pages": pages, "seconds": round(wall, 2), "pages_per_s": round(pages / wall, 1),
            "cpu_seconds": round(cpu, 2), "pages_per_cpu_s": round(pages / cpu, 1)}


def one_core(paths: list[Path], reader: str) -> dict:
    return _timed(lambda: sum(_parse(path, reader)[0] for path in paths))


def all_cores(paths: list[Path], reader: str) -> dict:
    workers = os.cpu_count() or 1
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pages = sum(n for n, _ in pool.map(_parse, paths, [reader] * len(paths)))
    seconds = time.perf_counter() - started
    return {"workers": workers, "pages": pages, "seconds": round(seconds, 2), "pages_per_s": round(pages / seconds, 1),
            "cpu_seconds": "", "pages_per_cpu_s": ""}


def floor(paths: list[Path]) -> dict:
    def pages_of() -> int:
        pages = 0
        for path in paths:
            with PdfiumDocument(path.read_bytes()) as document:
                pages += len(document.pages)
        return pages

    return _timed(pages_of)


def instructions(paths: list[Path]) -> dict[str, int] | None:
    """Instructions of a fresh interpreter that imports the reader (``imports``), then reads every PDF once
    with the pdfium reader (``reading``) or reads their page objects only (``floor``); None without valgrind."""
    if shutil.which("valgrind") is None:
        return None
    setup = (f"import sys; sys.path.insert(0, {str(REPO)!r}); from pathlib import Path; "
             "from ingest.parse_report import parse_report_file; from ingest.reader import load_report_file; "
             "import ingest.renderings.pdf, playa, playa.miner, camelot; "
             "from ingest.renderings.pdf_pdfium import PdfiumDocument; "
             f"paths = [Path(p) for p in {[str(p) for p in paths]!r}]")
    passes = {"imports": setup,
              "reading": setup + "; [parse_report_file(load_report_file(p)) for p in paths]",
              "floor": setup + "; [len(PdfiumDocument(p.read_bytes()).pages) for p in paths]"}

    def count(code: str) -> int:
        run = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                              sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": "0"},
                             capture_output=True, text=True, check=True)
        return int(re.search(r"I\s+refs:\s+([\d,]+)", run.stderr).group(1).replace(",", ""))

    with ThreadPoolExecutor(max_workers=len(passes)) as pool:
        counts = dict(zip(passes, pool.map(count, passes.values()), strict=True))
    return {"reading": counts["reading"] - counts["imports"], "floor": counts["floor"] - counts["imports"]}


def reference_pages(paths: list[Path]) -> tuple[int, int]:
    """Pages pdfplumber read for the pdfium reader, and pages given blanks playa read (``pdf_blanks``)."""
    renderings = [pdf_reader.render_pdf(path.read_bytes(), reader="pdfium") for path in paths]
    return sum(len(r.reference_pages) for r in renderings), sum(len(r.blank_pages) for r in renderings)


def stages(paths: list[Path]) -> Counter:
    """CPU seconds per stage of the pdfium reader on one core (nested stages are inside their callers)."""
    from ingest.renderings import pdf_pdfium, pdf_tables

    spent: Counter = Counter()

    def timed(owner, name: str, label: str) -> None:
        function = getattr(owner, name)

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] += time.process_time() - started

        setattr(owner, name, wrapper)

    for owner, name, label in [
        (pdf_pdfium, "read_page", "pdfium: page objects (all pdfium stages)"),
        (pdf_pdfium, "_chars", "pdfium: characters"), (pdf_pdfium, "clipped_regions", "pdfium: clip paths"),
        (pdf_pdfium, "_page_objects", "pdfium: object walk"),
        (pdf_pdfium, "_blank_objects", "pdfium: blank-only text objects"),
        (pdf_reader, "deduped", "dedupe characters"), (pdf_tables, "find_tables", "table finder (pdf_cells)"),
        (pdf_tables, "_grid", "grid from cells"), (pdf_reader, "_camelot_tables", "camelot fallback"),
        (pdf_reader, "_running_lines", "running headers"), (pdf_reader, "_page_items", "prose lines"),
        (pdf_tables, "with_open_rows", "open rows"), (pdf_reader, "_looks_tabular", "looks tabular"),
        (pdf_reader, "split_grid", "split grid"), (pdf_reader, "render_pdf", "render (all of the above)"),
    ]:
        timed(owner, name, label)
    started = time.process_time()
    for path in paths:
        parse_report_file(load_report_file(path))
    spent["parse_report_file (total)"] = time.process_time() - started
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=PDF_CORPUS)
    parser.add_argument("--stages", action="store_true")
    parser.add_argument("--instructions", action="store_true")
    args = parser.parse_args()
    paths = sorted(args.corpus.glob("*.pdf"))
    if not paths:
        raise SystemExit(f"no PDFs in {args.corpus}")
    _parse(paths[0], "pdfium")  # imports and caches warm
    rows = {"pdfplumber, one core": one_core(paths, "pdfplumber"), "pdfium, one core": one_core(paths, "pdfium"),
            "pdfium, all cores": all_cores(paths, "pdfium"), "floor: pdfium page objects only": floor(paths)}
    read_again, given_blanks = reference_pages(paths)
    print(f"{len(paths)} PDFs from {args.corpus}; pages pdfplumber read for the pdfium reader: {read_again}; "
          f"pages given blanks playa read: {given_blanks}\n")
    print("| reading | pages | wall s | pages/s (wall) | CPU s | pages/s per CPU s |\n|:---|---:|---:|---:|---:|---:|")
    for name, row in rows.items():
        print(f"| {name} | {row['pages']} | {row['seconds']} | {row['pages_per_s']} | {row['cpu_seconds']} "
              f"| {row['pages_per_cpu_s']} |")
    if args.stages:
        print("\n| stage (pdfium reader, one core) | seconds |\n|:---|---:|")
        for label, seconds in stages(paths).most_common():
            print(f"| {label} | {seconds:.2f} |")
    if args.instructions:
        counted = instructions(paths)
        if counted is None:
            print("\nvalgrind is not installed: no instruction counts")
        else:
            pages = rows["pdfium, one core"]["pages"]
            print("\n| pdfium reader, one pass less imports | instructions | per page |\n|:---|---:|---:|")
            for name, label in (("reading", "reading (parse_report_file)"), ("floor", "floor: page objects only")):
                print(f"| {label} | {counted[name] / 1e9:.2f} G | {counted[name] / pages / 1e6:.1f} M |")


if __name__ == "__main__":
    main()
