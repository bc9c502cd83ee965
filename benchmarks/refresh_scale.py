"""Benchmark (not a test): full refresh of N generated reports, with floors measured in the same run.

    .venv/bin/python benchmarks/refresh_scale.py 100 1000

Prints a markdown table: wall time and peak RSS of `fiscal refresh` (a child process), and two floors:
reading the same bytes, and bulk-loading the same number of cells into DuckDB; then the incremental
refresh after one more report lands in the same warehouse, and the latency of five typical analyst
queries on the published marts (median of 5 runs each).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

REPO = Path(__file__).resolve().parent.parent


def run(count: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        inbox, home = Path(tmp) / "inbox", Path(tmp) / "warehouse"
        subprocess.run([sys.executable, "-m", "orchestration.cli", "samples", "--out", str(inbox), "--count",
                        str(count), "--seed", "7"], cwd=REPO, check=True, capture_output=True)
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
        with duckdb.connect(str(home / "raw.duckdb"), read_only=True) as con:
            frame = con.execute("select * from cells").df()  # noqa: F841 (scanned by duckdb below)
            cells = len(frame)
        started = time.perf_counter()
        with duckdb.connect(str(Path(tmp) / "floor.duckdb")) as con:
            con.execute("create table cells as select * from frame limit 0")
            con.execute("insert into cells select * from frame")
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
        queries = query_latencies(home / "marts.duckdb")
        return {"reports": count, "cells": cells, "bytes": read_bytes, "refresh_s": round(wall, 1),
                "peak_rss_mb": round(peak_mb), "read_floor_s": round(read_floor, 3),
                "load_floor_s": round(load_floor, 3), "refresh/load_floor": round(wall / max(load_floor, 1e-3)),
                "incremental_s": round(incremental, 1), **queries}


QUERIES = {
    "q_overview_ms": "select unit_name, fiscal_year, income_total, expenditure_total, three_public_final "
                     "from mart_unit_year_overview order by unit_name, fiscal_year",
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
    rows = [run(int(n)) for n in (sys.argv[1:] or ["100"])]
    print(pd.DataFrame(rows).to_markdown(index=False))
