"""Output that cannot crash: text from documents is printed as it is, and a failed refresh is announced
before anything is printed (no refresh run: the job's result is given)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import orchestration.runner
from orchestration.cli import app
from orchestration.runner import RefreshResult

PDFMINER_REASON = "scan.pdf: pdfminer could not read page 3 ([/'Font', 1] is not a font dictionary)"


@pytest.fixture()
def failed_run(monkeypatch):
    def fake_run(home: Path, inbox: Path, waivers, log_path: Path, on_step=None, prepare_gx: bool = True
                 ) -> RefreshResult:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log_path.write_text("", encoding="utf-8")
        on_step and on_step("raw_layer", "STEP_START")
        on_step and on_step("raw_layer", "STEP_FAILURE")
        return RefreshResult(False, "run-1", failures=[("raw_layer", PDFMINER_REASON)],
                             warnings=[f"document quarantined: {PDFMINER_REASON}"])

    monkeypatch.setattr(orchestration.runner, "run_refresh", fake_run)


def test_failed_refresh_alerts_first_and_prints_document_text_as_is(failed_run, tmp_path: Path, capfd):
    home, inbox = tmp_path / "home", tmp_path / "inbox"
    inbox.mkdir()
    result = CliRunner().invoke(app, ["refresh", "--inbox", str(inbox), "--home", str(home)])
    out = " ".join(capfd.readouterr().out.split())
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"! document quarantined: {PDFMINER_REASON}" in out
    assert f"refresh failed in raw_layer: {PDFMINER_REASON}" in out
    alerts = [json.loads(line) for line in (home / "alerts.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(a["kind"], a["items"][0]["summary"]) for a in alerts] == [
        ("refresh_failed", f"step raw_layer failed: {PDFMINER_REASON}")]
    status = CliRunner().invoke(app, ["status", "--home", str(home)])
    out = " ".join(capfd.readouterr().out.split())
    assert (status.exit_code, status.exception) == (0, None)
    assert "Last refresh failed at " in out and f"raw_layer: {PDFMINER_REASON}" in out
    assert "no published marts yet" in out


def test_status_lists_are_cut_with_a_count_and_where_the_rest_are(capfd):
    """10,000 real-size reports held back ~2,400 tables: the refresh printed them all (2.4 s, 5,000 lines)."""
    from orchestration.cli import _print_some
    from orchestration.listing import SHOWN

    lines = [f"table quarantined report_{k:02d}.txt GK03" for k in range(SHOWN + 5)]
    _print_some(lines, "tables quarantined (mart dim_report_table)", SHOWN)
    printed = capfd.readouterr().out.splitlines()
    assert printed[:SHOWN] == [f"  {line}" for line in lines[:SHOWN]]
    assert printed[SHOWN:] == [
        "  … and 5 more tables quarantined (mart dim_report_table); `fiscal status --all` lists them"]
    _print_some(lines, "tables", None)
    assert len(capfd.readouterr().out.splitlines()) == SHOWN + 5
