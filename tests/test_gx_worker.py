"""Great Expectations in its own worker process (expectations/gx_worker.py): the same findings as in the
refresh's process, and the same again when the worker has died."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from expectations import gx_worker
from expectations.suite import evaluate as evaluate_here


def _comparisons() -> pd.DataFrame:
    row = {"rule_id": "row_total", "document_id": "doc1", "table_code": "GK03", "side": "", "row_code": "2050202",
           "row_label": "小学教育", "column_path": "本年支出合计", "line_no": 74, "actual": 12515.62,
           "expected": 12505.62, "n_addends": 5, "tolerance": 0.03, "addends": "基本支出+项目支出"}
    return pd.DataFrame([row, {**row, "row_code": "2050203", "actual": 100.01, "expected": 100.0}])


DOCUMENTS = pd.DataFrame([{"document_id": "doc1", "file_name": "edu.txt", "unit_name": "示例教育局",
                           "fiscal_year": 2023}])
COMPARED = ["document_id", "row_code", "rule_id", "severity", "expected", "actual", "difference", "tolerance"]


@pytest.fixture
def worker(monkeypatch):
    monkeypatch.delenv("FISCAL_GX_WORKER", raising=False)
    gx_worker.start()
    yield gx_worker
    gx_worker.stop()


def test_worker_finds_what_this_process_finds_and_survives_its_death(worker, tmp_path, monkeypatch):
    here = evaluate_here(_comparisons(), tmp_path / "here", DOCUMENTS)
    with monkeypatch.context() as patched:  # GX cannot run in this process: the findings come from the worker
        patched.setattr("expectations.suite.evaluate", lambda *args: pytest.fail("evaluated in the refresh"))
        there = worker.evaluate(_comparisons(), tmp_path / "there", DOCUMENTS)
    pids = list(worker._pool._processes)  # noqa: SLF001 (the worker's process, to kill it below)
    assert len(pids) == 1 and pids[0] != os.getpid()
    assert there.set_index("row_code")["severity"].to_dict() == {"2050202": "error", "2050203": "info"}
    pd.testing.assert_frame_equal(there[COMPARED].reset_index(drop=True), here[COMPARED].reset_index(drop=True))
    assert (tmp_path / "there" / "runs").is_dir()  # its Data Docs page was written where it was told

    os.kill(pids[0], signal.SIGKILL)  # out of memory, killed: the audit goes on in this process
    again = worker.evaluate(_comparisons(), tmp_path / "again", DOCUMENTS)
    pd.testing.assert_frame_equal(again[COMPARED].reset_index(drop=True), here[COMPARED].reset_index(drop=True))
    assert worker._pool is None  # noqa: SLF001


def test_worker_is_off_when_told(monkeypatch):
    monkeypatch.setenv("FISCAL_GX_WORKER", "0")
    gx_worker.start()
    assert gx_worker._pool is None  # noqa: SLF001


def test_worker_dies_with_a_killed_refresh():
    """A refresh killed mid-run (tests/test_crash_safety.py kills one at every step) leaves no worker behind,
    even while a process it forked (a parse worker) keeps the worker's task pipe open, so the worker cannot
    see its parent go by that pipe's end (a refresh killed with the worker alive hung that test's reading of
    its output)."""
    start = ("import os, time; from expectations import gx_worker; gx_worker.start(); "
             "worker = gx_worker._pool.submit(os.getpid).result(); holder = os.fork()\n"
             "if holder == 0:\n"
             "    null = os.open(os.devnull, os.O_WRONLY); os.dup2(null, 1); os.dup2(null, 2); time.sleep(120)\n"
             "print(worker, holder, flush=True); time.sleep(120)")
    refresh = subprocess.Popen([sys.executable, "-c", start], cwd=Path(__file__).resolve().parent.parent,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    worker_pid, holder_pid = map(int, refresh.stdout.readline().split())
    try:
        refresh.send_signal(signal.SIGKILL)
        refresh.wait(timeout=60)
        deadline = time.monotonic() + 30
        while _alive(worker_pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(worker_pid)
    finally:
        os.kill(holder_pid, signal.SIGKILL)
    refresh.communicate(timeout=60)


def _alive(pid: int) -> bool:
    """Running (a zombie no one has reaped yet is dead)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status


def test_a_refresh_whose_build_fails_while_the_worker_imports_ends(tmp_path):
    """dbt 1 fails at once (a client holds the build database read-write) while the worker, started after the
    parse, is still importing GX: the refresh is stopped with the worker still starting, and `fiscal` must still
    end (ending without the interpreter's own exit steps, it once waited for that worker for ever)."""
    import shutil

    import duckdb

    repo = Path(__file__).resolve().parent.parent
    inbox, home = tmp_path / "inbox", tmp_path / "home"
    shutil.copytree(repo / "samples" / "inbox", inbox)
    env = {**os.environ, "FISCAL_HOME": str(home)}
    env.pop("FISCAL_GX_WORKER", None)
    command = [sys.executable, "-m", "orchestration.cli", "refresh", "--inbox", str(inbox)]
    first = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stdout + first.stderr
    sample = next(inbox.iterdir())
    (inbox / f"reissued_{sample.name}").write_text(sample.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with duckdb.connect(str(home / "build" / "build.duckdb")):
        failed = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "parse new reports into the raw layer ✓" in failed.stdout  # the worker was started
    assert "leaked" not in failed.stderr
