"""Benchmark (not a test): full refresh of N generated reports, with floors measured in the same run.

    .venv/bin/python benchmarks/refresh_scale.py 100 1000

Prints a markdown table: wall time and peak RSS of `fiscal refresh` (a child process), and two floors:
reading the same bytes, and bulk-loading the same number of cells into DuckDB.
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
        return {"reports": count, "cells": cells, "bytes": read_bytes, "refresh_s": round(wall, 1),
                "peak_rss_mb": round(peak_mb), "read_floor_s": round(read_floor, 3),
                "load_floor_s": round(load_floor, 3), "refresh/load_floor": round(wall / max(load_floor, 1e-3))}


if __name__ == "__main__":
    rows = [run(int(n)) for n in (sys.argv[1:] or ["100"])]
    print(pd.DataFrame(rows).to_markdown(index=False))
