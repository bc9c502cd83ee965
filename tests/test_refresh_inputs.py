"""`fiscal refresh` stops at once when nothing it reads changed since the last successful refresh, and runs
whenever something did: a file added, rewritten or hidden, the waivers, a FISCAL_* setting, a rollback, a
withdrawal."""
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.refresh_inputs import (
    forget_inputs,
    inputs_fingerprint,
    remember_inputs,
    unchanged_since_last_refresh,
)
from orchestration.warehouse import WarehousePaths
from tests.conftest import REPO, fiscal


@pytest.fixture
def home(tmp_path: Path) -> tuple[WarehousePaths, Path]:
    """A home whose marts point at release R1 (a hard link, as the publish makes it) and a one-file inbox."""
    paths = WarehousePaths(tmp_path / "home").ensure()
    (paths.releases / "R1.duckdb").write_bytes(b"release one")
    os.link(paths.releases / "R1.duckdb", paths.marts_db)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text("公开01 ...", encoding="utf-8")
    return paths, inbox


def _remembered(paths: WarehousePaths, inbox: Path) -> str:
    fingerprint = inputs_fingerprint(paths, inbox, None)
    remember_inputs(paths, fingerprint, "2026-11-30T01:00:00+00:00")
    assert unchanged_since_last_refresh(paths, inputs_fingerprint(paths, inbox, None))["release_id"] == "R1"
    return fingerprint


def test_same_inputs_same_release_is_nothing_new(home) -> None:
    paths, inbox = home
    _remembered(paths, inbox)
    forget_inputs(paths)  # fiscal withdraw / restore
    assert unchanged_since_last_refresh(paths, inputs_fingerprint(paths, inbox, None)) is None


@pytest.mark.parametrize("change", ["new file", "rewritten", "hidden file", "subfolder", "waivers", "setting"])
def test_any_input_change_runs_the_job(home, change, monkeypatch) -> None:
    paths, inbox = home
    _remembered(paths, inbox)
    waivers = None
    if change == "new file":
        shutil.copy(inbox / "a.txt", inbox / "b.txt")
    elif change == "rewritten":  # same size, another time
        (inbox / "a.txt").write_text("公开02 ...", encoding="utf-8")
        os.utime(inbox / "a.txt", ns=(1, 1))
    elif change == "hidden file":  # skipped by the scan, but recorded in inbox_entry: the marts change
        (inbox / ".b.txt").write_text("x", encoding="utf-8")
    elif change == "subfolder":
        (inbox / "2025").mkdir()
        shutil.copy(inbox / "a.txt", inbox / "2025" / "a.txt")
    elif change == "waivers":
        waivers = inbox.parent / "waivers.yml"
        waivers.write_text("waivers: []\n", encoding="utf-8")
    elif change == "setting":
        monkeypatch.setenv("FISCAL_PARSE_TIMEOUT", "900")  # a file stopped by the old limit is read again
    assert unchanged_since_last_refresh(paths, inputs_fingerprint(paths, inbox, waivers)) is None


def test_a_rollback_runs_the_job(home) -> None:
    paths, inbox = home
    _remembered(paths, inbox)
    (paths.releases / "R0.duckdb").write_bytes(b"release zero")
    paths.marts_db.unlink()
    os.link(paths.releases / "R0.duckdb", paths.marts_db)
    assert unchanged_since_last_refresh(paths, inputs_fingerprint(paths, inbox, None)) is None


def test_a_raw_layer_changed_outside_a_successful_refresh_runs_the_job(home) -> None:
    """A refresh that parsed a file and then failed, a daemon run, `fiscal withdraw`: the raw layer moved."""
    paths, inbox = home
    with duckdb.connect(str(paths.raw_db)) as raw:
        raw.execute("create table document_withdrawals (content_hash varchar, action varchar)")
    _remembered(paths, inbox)
    with duckdb.connect(str(paths.raw_db)) as raw:
        raw.execute("insert into document_withdrawals values ('ab12', 'withdraw')")
    assert unchanged_since_last_refresh(paths, inputs_fingerprint(paths, inbox, None)) is None


@pytest.mark.e2e
def test_an_unchanged_inbox_returns_in_seconds_without_a_dagster_run(tmp_path) -> None:
    inbox, home_dir = tmp_path / "inbox", tmp_path / "home"
    shutil.copytree(REPO / "samples" / "inbox", inbox)
    first = fiscal("refresh", "--inbox", str(inbox), home=home_dir)
    assert first.returncode == 0, first.stdout + first.stderr
    runs = len(list((home_dir / "logs").glob("refresh-*.log")))
    second = fiscal("refresh", "--inbox", str(inbox), home=home_dir)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Nothing new: the inbox, waivers, code and settings are as at the refresh of" in second.stdout
    assert len(list((home_dir / "logs").glob("refresh-*.log"))) == runs  # no job ran
    # the freshness alert counts the confirmation; `fiscal status` still shows the release
    assert '"nothing_new": true' in (home_dir / "last_refresh.json").read_text(encoding="utf-8")
    (inbox / "note.txt").write_text("not a report", encoding="utf-8")
    third = fiscal("refresh", "--inbox", str(inbox), home=home_dir)
    assert third.returncode == 0 and "Nothing new: the inbox" not in third.stdout
    assert len(list((home_dir / "logs").glob("refresh-*.log"))) == runs + 1
