"""Odd inbox entries and a withdrawn document, through real refreshes (`fiscal refresh`, 3 runs):

the refresh exits 0, the good reports are published exactly as without the odd entries, every odd entry is
named with its reason (mart inbox_entry, `fiscal status`), text from a document that looks like console
markup is printed as it is, and a withdrawn document's facts leave at the next publish while its stored
copy stays.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from ingest import inbox as inbox_module
from ingest.sample_reports import generate_with_faults
from orchestration.cli import app
from tests.conftest import REPO, fiscal

GOOD = sorted((REPO / "samples" / "inbox").iterdir())
GBK_NAME = "政府办公厅2019年部门决算.txt"
MARKUP_NAME = "[bold red]memo[link=x].txt"  # a file name cannot hold the / of a closing tag
POISON = "sample_000003_2015_juesuan.txt"
GOOD_FACTS = ("select * exclude (fact_id, document_id) from fct_fiscal_amount where source_file in ({}) "
              "order by all").format(", ".join(f"'{p.name}'" for p in GOOD))


def _facts(home: Path, sql: str = GOOD_FACTS) -> list[tuple]:
    with duckdb.connect(str(home / "marts.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def _odd_inbox(root: Path) -> Path:
    inbox, elsewhere = root / "inbox", root / "elsewhere"
    inbox.mkdir()
    elsewhere.mkdir()
    for path in GOOD:
        shutil.copy(path, inbox / path.name)
    reports = {name: text for name, text, _kind, _detail in generate_with_faults(4, 11, 0.0)}
    with open(os.path.join(os.fsencode(inbox), GBK_NAME.encode("gbk")), "w", encoding="utf-8") as handle:
        handle.write(reports["sample_000000_2015_juesuan.txt"])
    (elsewhere / POISON).write_text(reports[POISON], encoding="utf-8")
    (inbox / "linked").symlink_to(elsewhere, target_is_directory=True)
    (inbox / MARKUP_NAME).write_text("[/'Font', 1] pdfminer could not read this\n", encoding="utf-8")
    (inbox / ".~lock.report.xlsx#").write_text("x", encoding="utf-8")
    (inbox / ".partial").mkdir()
    (inbox / ".partial" / "half.pdf").write_bytes(b"%PDF-1.7")
    os.mkfifo(inbox / "pipe")
    (inbox / "dangling.pdf").symlink_to(root / "gone.pdf")
    (inbox / "loop").symlink_to(inbox / "loop")
    return inbox


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("odd")
    good_inbox = root / "good"
    good_inbox.mkdir()
    for path in GOOD:
        shutil.copy(path, good_inbox / path.name)
    baseline = fiscal("refresh", "--inbox", str(good_inbox), home=root / "baseline")
    assert baseline.returncode == 0, baseline.stdout + baseline.stderr
    inbox = _odd_inbox(root)
    odd = fiscal("refresh", "--inbox", str(inbox), home=root / "home")
    return {"root": root, "home": root / "home", "inbox": inbox, "baseline": root / "baseline", "odd": odd}


def test_odd_entries_are_named_and_good_reports_published_as_without_them(runs):
    odd, home = runs["odd"], runs["home"]
    assert odd.returncode == 0, odd.stdout + odd.stderr
    assert "Traceback" not in odd.stderr
    assert _facts(home) == _facts(runs["baseline"]) and len(_facts(home)) > 400
    entries = dict(((path, action), reason) for path, action, reason in _facts(
        home, "select entry_path, action, reason from inbox_entry where is_in_last_scan"))
    assert {key: reason for key, reason in entries.items() if key[1] == "skipped"} == {
        (".~lock.report.xlsx#", "skipped"): "hidden file (name starts with '.')",
        (".partial", "skipped"): "hidden directory: neither it nor anything in it is read",
        ("pipe", "skipped"): "not a regular file (fifo): never opened",
        ("dangling.pdf", "skipped"): f"dangling symlink: its target {runs['root'] / 'gone.pdf'} does not exist",
        ("loop", "skipped"): f"symlink loop ({runs['inbox'] / 'loop'})",
    }
    assert entries[("linked", "directory")] == f"symlink to {runs['root'] / 'elsewhere'}"
    assert (f"linked/{POISON}", "read") in entries
    gbk_path = "".join(f"\\x{byte:02x}" if byte > 127 else chr(byte) for byte in GBK_NAME.encode("gbk"))
    assert entries[(gbk_path, "read")].startswith("file name is not UTF-8; read as GB18030")
    # the GBK-named report is filed under its readable name, and published
    gbk_facts = _facts(home, f"select count(*) from fct_fiscal_amount where source_file = '{GBK_NAME}'")[0][0]
    assert gbk_facts > 50
    # markup-like text from a document is printed as it is, in the refresh and in `fiscal status`
    assert f"document quarantined {MARKUP_NAME}:" in odd.stdout
    status = fiscal("status", home=home)
    assert status.returncode == 0, status.stdout + status.stderr
    assert f"document quarantined {MARKUP_NAME}:" in status.stdout
    assert "inbox entry skipped pipe: not a regular file (fifo): never opened" in status.stdout


def test_withdrawn_document_leaves_the_facts_and_keeps_its_stored_copy(runs, monkeypatch, capfd):
    home = runs["home"]
    assert runs["odd"].returncode == 0
    poison_facts = f"select count(*) from fct_fiscal_amount where source_file = '{POISON}'"
    assert _facts(home, poison_facts)[0][0] > 50
    withdrawn = fiscal("withdraw", POISON, "--reason", "wrong unit [/'Font', 1]", home=home)
    assert withdrawn.returncode == 0, withdrawn.stdout + withdrawn.stderr
    assert f"Withdrawn {POISON}" in withdrawn.stdout
    # this refresh runs in this process, so that a file can vanish between the scan and its reading
    vanishing = runs["inbox"] / "vanishing.txt"
    vanishing.write_text("刚到又被删除的文件\n", encoding="utf-8")
    real_scan = inbox_module.scan_inbox

    def scan_then_delete(inbox: Path):
        entries = real_scan(inbox)
        vanishing.unlink()
        return entries

    monkeypatch.setattr(inbox_module, "scan_inbox", scan_then_delete)
    capfd.readouterr()
    again = CliRunner().invoke(app, ["refresh", "--inbox", str(runs["inbox"]), "--home", str(home)])
    out = " ".join(capfd.readouterr().out.split())
    assert (again.exit_code, again.exception) == (0, None), out
    # the withdrawal's reason is printed as the quarantine reason: a closing tag of no open one, as pdfminer's
    # errors print, crashed rich (MarkupError) after the publish
    assert "(wrong unit [/'Font', 1]); its stored copy and history are kept" in out
    assert "inbox entry skipped vanishing.txt: vanished while the inbox was scanned" in out
    assert _facts(home, poison_facts)[0][0] == 0
    assert _facts(home) == _facts(runs["baseline"])
    status, reason, document_id = _facts(home, "select parse_status, parse_reason, document_id from dim_document "
                                               f"where file_name = '{POISON}'")[0]
    assert status == "quarantined" and "withdrawn by" in reason and "(wrong unit [/'Font', 1])" in reason
    stored = home / "store" / document_id[:2] / f"{document_id}.txt"
    assert stored.read_bytes() == (runs["root"] / "elsewhere" / POISON).read_bytes()
    assert _facts(home, "select file_name, action, reason, is_withdrawn from document_withdrawal") == [
        (POISON, "withdraw", "wrong unit [/'Font', 1]", True)]
    shown = fiscal("status", home=home)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert f"document withdrawn {POISON} ({document_id[:16]}) by " in shown.stdout
    assert "wrong unit [/'Font', 1]" in shown.stdout
