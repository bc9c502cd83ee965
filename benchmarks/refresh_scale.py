"""Benchmark (not a test): parse throughput, and full refresh of N generated reports, with floors measured
in the same run.

    .venv/bin/python benchmarks/refresh_scale.py 100 1000 10000 [--faults 0.02] [--corpus generated|seeds]

Prints markdown tables:
- parse throughput on one core: generated text reports/s, and PDF pages/s on the real PDFs beside the
  repository (../shared/corpus/pdf) when they are there;
- ``--corpus seeds``: the N reports are the real seed reports (../shared/corpus/seeds, ~60 KB of text each,
  ten times a generated report; the bundled samples/inbox when that is absent) replicated, copy k of a seed
  under its own unit name (the seed's printed unit name with a numbered prefix) and its years shifted by
  k mod 7, so every copy is a report of its own (``replicated_seeds``);
- per N (generated reports, a share ``--faults`` with one injected fault each): wall time and peak RSS of
  `fiscal refresh` (a child process), two floors (reading the same bytes;
  bulk-loading the same number of cells into DuckDB), the incremental refresh after one more report lands
  in the same warehouse, a refresh with nothing changed since (the inputs check), the latency of five
  typical analyst queries on the published marts (median of 5 runs each), and the Dagster step times of
  the full and the incremental refresh.
"""

from __future__ import annotations

import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
PDF_CORPUS = REPO.parent / "shared" / "corpus" / "pdf"
STEP_TIME = re.compile(r'Finished execution of step "([^"]+)" in ([0-9.]+)(ms|s|m)?(?:([0-9.]+)s)?')
STEPS = {"raw__document_files": "register", "raw_layer": "parse", "dbt_staging_intermediate": "dbt 1",
         "integrity_findings": "audit", "dbt_marts": "dbt 2", "published_marts": "publish"}


def step_times(home: Path) -> dict[str, float]:
    """Seconds per step of the newest refresh log."""
    log = max((home / "logs").iterdir()).read_text(encoding="utf-8")
    out = {}
    for step, value, unit, seconds in STEP_TIME.findall(log):  # 417ms, 9.7s, 1m5s
        if step in STEPS:
            scale = {"ms": 0.001, "m": 60.0}.get(unit, 1.0)
            out[STEPS[step]] = round(float(value) * scale + float(seconds or 0), 1)
    return out


def parse_throughput(count: int = 300) -> dict:
    """One core, no database: generated reports of every kind per second, and PDF pages per second."""
    sys.path.insert(0, str(REPO))
    from ingest.parse_report import parse_report_file
    from ingest.reader import load_report_file, report_from_bytes
    from ingest.sample_reports import generate_reports

    reports = [report_from_bytes(Path(name), text.encode("utf-8")) for name, text in generate_reports(count, seed=7)]
    started = time.perf_counter()
    cells = sum(len(parse_report_file(report).cells) for report in reports)
    text_s = time.perf_counter() - started
    out = {"text_reports": count, "text_reports_per_s_per_core": round(count / text_s, 1),
           "cells_per_s_per_core": round(cells / text_s)}
    pdfs = sorted(PDF_CORPUS.glob("*.pdf")) if PDF_CORPUS.exists() else []
    if pdfs:
        started = time.perf_counter()
        pages = sum(parse_report_file(load_report_file(pdf)).document["n_pages"] or 0 for pdf in pdfs)
        out.update(pdf_files=len(pdfs), pdf_pages=pages,
                   pdf_pages_per_s_per_core=round(pages / (time.perf_counter() - started), 1))
    return out


SEEDS = REPO.parent / "shared" / "corpus" / "seeds"
_DIGITS = "〇一二三四五六七八九"
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?=\s*年)")


def replicated_seeds(count: int, out: Path) -> None:
    """``count`` reports written to ``out``: the seed reports in turn, copy k under the unit name
    第<k in Chinese digits>样本<printed name> and with every year printed before 年 moved on by k mod 7."""
    sys.path.insert(0, str(REPO))
    from ingest.parse_report import parse_report_file
    from ingest.reader import load_report_file

    seeds = sorted(SEEDS.glob("*.txt")) if SEEDS.exists() else sorted((REPO / "samples" / "inbox").glob("*.txt"))
    texts = []
    for path in seeds:
        name = (parse_report_file(load_report_file(path)).document.get("unit_name") or "").split("(")[0]
        texts.append((path.stem, path.read_text(encoding="utf-8"), re.split(r"[(（]", name)[0]))
    out.mkdir(parents=True, exist_ok=True)
    for k in range(count):
        stem, text, name = texts[k % len(texts)]
        copy = k // len(texts)
        if copy:
            prefix = "第" + "".join(_DIGITS[int(d)] for d in str(copy)) + "样本"
            text = text.replace(name, prefix + name) if name else prefix + text
            text = _YEAR.sub(lambda m, shift=copy % 7: str(int(m.group(1)) + shift), text)
        (out / f"{k:06d}_{stem}.txt").write_text(text, encoding="utf-8")


def run(count: int, faults: float = 0.0, corpus: str = "generated") -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        inbox, home = Path(tmp) / "inbox", Path(tmp) / "warehouse"
        if corpus == "seeds":
            replicated_seeds(count, inbox)
        else:
            subprocess.run([sys.executable, "-m", "orchestration.cli", "samples", "--out", str(inbox), "--count",
                            str(count), "--seed", "7", "--faults", str(faults)], cwd=REPO, check=True,
                           capture_output=True)
        started = time.perf_counter()
        read_bytes = sum(len(p.read_bytes()) for p in inbox.iterdir())
        read_floor = time.perf_counter() - started
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "orchestration.cli", "refresh", "--inbox", str(inbox),
                                 "--home", str(home)], cwd=REPO, capture_output=True, text=True)
        wall = time.perf_counter() - started
        peak_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
        if result.returncode != 0:
            raise SystemExit(result.stdout + result.stderr)
        full_steps = step_times(home)
        # the load floor: the same cells bulk-copied into a fresh DuckDB file by DuckDB itself (a pandas
        # frame of every cell, the floor until session 6, took 23 GB at 100,000 reports)
        started = time.perf_counter()
        with duckdb.connect(str(Path(tmp) / "floor.duckdb")) as con:
            con.execute(f"attach '{home / 'raw.duckdb'}' as raw (read_only)")
            con.execute("create table cells as select * from raw.cells")
            cells = con.execute("select count(*) from cells").fetchone()[0]
        load_floor = time.perf_counter() - started
        extra = inbox / "zz_one_more_report.txt"
        subprocess.run([sys.executable, "-m", "orchestration.cli", "samples", "--out", str(Path(tmp) / "one"),
                        "--count", "1", "--seed", "99"], cwd=REPO, check=True, capture_output=True)
        extra.write_bytes(next((Path(tmp) / "one").iterdir()).read_bytes())
        started = time.perf_counter()
        again = subprocess.run([sys.executable, "-m", "orchestration.cli", "refresh", "--inbox", str(inbox),
                                "--home", str(home)], cwd=REPO, capture_output=True, text=True)
        incremental = time.perf_counter() - started
        if again.returncode != 0:
            raise SystemExit(again.stdout + again.stderr)
        steps = {"full": full_steps, "incremental": step_times(home)}
        started = time.perf_counter()  # nothing changed since: the inputs check stops the refresh
        same = subprocess.run([sys.executable, "-m", "orchestration.cli", "refresh", "--inbox", str(inbox),
                               "--home", str(home)], cwd=REPO, capture_output=True, text=True)
        no_change = time.perf_counter() - started
        if same.returncode != 0 or "Nothing new: the inbox" not in same.stdout:
            raise SystemExit(same.stdout + same.stderr)
        queries = query_latencies(home / "marts.duckdb")
        return {"reports": count, "corpus": corpus, "faulty": faults, "cells": cells, "bytes": read_bytes,
                "refresh_s": round(wall, 1),
                "peak_rss_mb": round(peak_mb), "read_floor_s": round(read_floor, 3),
                "load_floor_s": round(load_floor, 3), "refresh/load_floor": round(wall / max(load_floor, 1e-3)),
                "incremental_s": round(incremental, 1), "no_change_s": round(no_change, 2), **queries, "steps": steps}


QUERIES = {
    "q_overview_ms": "select unit_name, fiscal_year, phase_name, income_total_wan, expenditure_total_wan, "
                     "three_public_final_wan from mart_unit_year_overview order by unit_name, fiscal_year, phase_code",
    "q_function_ms": "select classification_code, sum(amount_wan) from fct_fiscal_amount "
                     "where classification_code like '201%' group by 1 order by 2 desc limit 20",
    "q_one_unit_ms": "select * from fct_fiscal_amount where unit_id = (select min(unit_id) from dim_unit)",
    "q_findings_ms": "select rule_id, severity, count(*) from dq_finding group by all",
    "q_three_public_ms": "select fiscal_year, phase_code, sum(amount_wan) from fct_fiscal_amount "
                         "where source_table = 'GK07' group by all",
}


def query_latencies(marts: Path) -> dict:
    out = {}
    with duckdb.connect(str(marts), read_only=True) as con:
        for name, sql in QUERIES.items():
            runs = []
            for _ in range(5):
                started = time.perf_counter()
                con.execute(sql).fetchall()
                runs.append((time.perf_counter() - started) * 1000)
            out[name] = round(sorted(runs)[2], 1)
    return out


if __name__ == "__main__":
    args = sys.argv[1:]
    faults = float(args[args.index("--faults") + 1]) if "--faults" in args else 0.0
    corpus = args[args.index("--corpus") + 1] if "--corpus" in args else "generated"
    counts = [int(a) for i, a in enumerate(args) if a.isdigit() and (i == 0 or args[i - 1] != "--faults")]
    print(pd.DataFrame([parse_throughput()]).to_markdown(index=False), flush=True)
    rows, steps = [], []
    for count in counts or [100]:
        row = run(count, faults, corpus)
        for kind, times in row.pop("steps").items():
            steps.append({"reports": count, "refresh": kind, **times})
        rows.append(row)
        print(row, file=sys.stderr, flush=True)  # a long run keeps what it measured if a later size fails
    print()
    print(pd.DataFrame(rows).to_markdown(index=False))
    print()
    print(pd.DataFrame(steps).to_markdown(index=False))
