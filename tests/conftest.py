from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "corpus" / "seeds"
SEED_000 = SEEDS / "000_6b079f111b9961ac.txt"


def seed_path(path: Path) -> Path:
    """The real corpus lives beside the repo (../shared); tests that need it skip without it."""
    if not path.exists():
        pytest.skip(f"real corpus not available at {path}")
    return path


def fiscal(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "FISCAL_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "orchestration.cli", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)


def _refreshed_warehouse(tmp_path_factory):
    """The bundled samples, seed 000 and three unreadable files, refreshed into a new home."""
    inbox = tmp_path_factory.mktemp("inbox")
    home = tmp_path_factory.mktemp("warehouse")
    for sample in (REPO / "samples" / "inbox").iterdir():
        shutil.copy(sample, inbox / sample.name)
    if SEED_000.exists():
        shutil.copy(SEED_000, inbox / SEED_000.name)
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "scan.pdf").write_bytes(b"%PDF-1.7\n\x00\x01\x02\x03" * 50)
    (inbox / "memo.txt").write_text("关于做好年度工作的通知\n请各单位按时报送。\n", encoding="utf-8")
    result = fiscal("refresh", "--inbox", str(inbox), home=home)
    assert result.returncode == 0, result.stdout + result.stderr
    con = duckdb.connect(str(home / "marts.duckdb"), read_only=True)
    yield {"home": home, "inbox": inbox, "stdout": result.stdout, "stderr": result.stderr, "con": con}
    con.close()


@pytest.fixture(scope="session")
def refreshed(tmp_path_factory):
    """That warehouse, refreshed once for every test that only reads it."""
    yield from _refreshed_warehouse(tmp_path_factory)


@pytest.fixture
def refreshed_to_change(tmp_path_factory):
    """That warehouse of the test's own, for a test that refreshes it again, rolls it back or closes its reader
    (on the shared one, the tests that ran after it on the same worker saw what it did)."""
    yield from _refreshed_warehouse(tmp_path_factory)
