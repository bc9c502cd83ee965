"""One writer per home: a second refresh is told who runs and exits non-zero; publish_history is append-only."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.home_lock import HomeBusy, home_lock
from orchestration.publish import publish, rollback
from orchestration.warehouse import WarehousePaths
from tests.conftest import REPO, fiscal

HOLD = """
import sys, time
from pathlib import Path
from orchestration.home_lock import home_lock
with home_lock(Path(sys.argv[1]), "a refresh"):
    print("held", flush=True)
    time.sleep(120)
"""


@pytest.fixture()
def held_home(tmp_path: Path):
    home = tmp_path / "home"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(home)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        yield home, holder
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def test_second_refresh_of_a_home_is_refused_with_who_holds_it(held_home, tmp_path: Path):
    home, holder = held_home
    pid = holder.pid
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    started = time.monotonic()
    result = fiscal("refresh", "--inbox", str(inbox), home=home)
    assert result.returncode == 3, result.stdout + result.stderr
    out = " ".join(result.stdout.split())
    assert f"a refresh of this home ({home}) is running since " in out
    assert f", pid {pid}; try again when it has finished" in out
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < 60  # refused at once, not after waiting
    assert not (home / "marts.duckdb").exists()
    withdrawn = fiscal("withdraw", "x.txt", "--reason", "test", home=home)
    assert withdrawn.returncode == 3 and f"pid {pid}" in withdrawn.stdout


def test_lock_is_reentrant_in_a_process_and_freed_when_its_holder_dies(held_home):
    home, holder = held_home
    with pytest.raises(HomeBusy, match=f"pid {holder.pid}"):
        with home_lock(home):
            pass
    holder.kill()  # as kill -9 would
    holder.wait()
    with home_lock(home, "a refresh"), home_lock(home, "a step"):  # the kernel freed the dead holder's lock
        pass


def _build(paths: WarehousePaths, n_facts: int) -> None:
    paths.ensure()
    paths.build_db.unlink(missing_ok=True)
    with duckdb.connect(str(paths.build_db)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.dim_document as select 'd' as document_id, 'parsed' as parse_status")
        con.execute("create table marts.fct_fiscal_amount as select range as fact_id from range(?)", [n_facts])
        con.execute("create table marts.fct_fiscal_amount_quarantined (fact_id bigint)")
        con.execute("create table marts.dim_report_table (publication_status varchar)")
        con.execute("create table marts.dq_finding (severity varchar, origin varchar)")


def test_publish_history_is_append_only_across_a_rollback(tmp_path: Path):
    paths = WarehousePaths(tmp_path / "home")
    releases = []
    for n_facts in (1, 2, 3):
        _build(paths, n_facts)
        releases.append(publish(paths)["release_id"])
    assert rollback(paths) == releases[1]
    _build(paths, 4)
    releases.append(publish(paths)["release_id"])
    with duckdb.connect(str(paths.marts_db), read_only=True) as con:
        history = con.execute("select release_id, n_facts from publish_history order by published_at").fetchall()
    assert history == list(zip(releases, [1, 2, 3, 4], strict=True))


FORK_AND_HOLD = """
import os, sys, time
from pathlib import Path
from orchestration.home_lock import home_lock
with home_lock(Path(sys.argv[1]), "a refresh"):
    child = os.fork()  # as a parse worker of the process pool is
    if child == 0:
        time.sleep(60)
        os._exit(0)
    print(child, flush=True)
    time.sleep(120)
"""


def test_a_forked_worker_outliving_a_killed_refresh_does_not_keep_the_home_locked(tmp_path: Path):
    home = tmp_path / "home"
    holder = subprocess.Popen([sys.executable, "-c", FORK_AND_HOLD, str(home)], cwd=REPO, stdout=subprocess.PIPE,
                              text=True)
    child = int(holder.stdout.readline())
    try:
        holder.kill()
        holder.wait()
        os.kill(child, 0)  # the worker still runs
        with home_lock(home):
            pass
    finally:
        os.kill(child, 9)
