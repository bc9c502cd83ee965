"""The inbox scan accounts for every entry: what it reads, and what it skips with why (no refresh needed)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest import inbox as inbox_module
from ingest import raw_layer
from ingest.inbox import register_inbox
from ingest.inbox_scan import scan_inbox
from ingest.names import printable, readable_name
from ingest.sample_reports import generate_with_faults
from ingest.store import RawFileStore

GBK_NAME = "政府办公厅2019年部门决算.txt".encode("gbk")


def _reports(n: int) -> list[tuple[str, str]]:
    return [(name, text) for name, text, _kind, _detail in generate_with_faults(n, 11, 0.0)]


@pytest.fixture()
def odd_inbox(tmp_path: Path) -> Path:
    """Two reports, one in a symlinked folder outside the inbox, beside every odd kind of entry."""
    inbox = tmp_path / "inbox"
    elsewhere = tmp_path / "elsewhere"
    (inbox / "sub").mkdir(parents=True)
    elsewhere.mkdir()
    (first, text1), (second, text2) = _reports(2)
    (inbox / "sub" / first).write_text(text1, encoding="utf-8")
    (elsewhere / second).write_text(text2, encoding="utf-8")
    (inbox / "linked").symlink_to(elsewhere, target_is_directory=True)
    (inbox / "again").symlink_to(inbox / "sub", target_is_directory=True)
    (inbox / "up").symlink_to(tmp_path, target_is_directory=True)
    (inbox / ".hidden.txt").write_text("x", encoding="utf-8")
    (inbox / ".cache").mkdir()
    (inbox / ".cache" / "inside.txt").write_text("x", encoding="utf-8")
    os.mkfifo(inbox / "pipe")
    (inbox / "dangling.pdf").symlink_to(tmp_path / "gone.pdf")
    (inbox / "loop_a").symlink_to(inbox / "loop_b")
    (inbox / "loop_b").symlink_to(inbox / "loop_a")
    with open(os.path.join(os.fsencode(inbox), GBK_NAME), "w", encoding="utf-8") as handle:
        handle.write(text1.replace("2015", "2019"))
    return inbox


def test_scan_names_every_entry_and_why_it_is_skipped(odd_inbox: Path):
    entries = {entry.entry_path: entry for entry in scan_inbox(odd_inbox)}
    read = {path for path, entry in entries.items() if entry.action == "read"}
    assert read == {"linked/sample_000001_2015_yusuan.txt", "sub/sample_000000_2015_juesuan.txt",
                    "\\xd5\\xfe\\xb8\\xae\\xb0\\xec\\xb9\\xab\\xcc\\xfc2019\\xc4\\xea\\xb2\\xbf\\xc3\\xc5"
                    "\\xbe\\xf6\\xcb\\xe3.txt"}
    skipped = {path: entry.reason for path, entry in entries.items() if entry.action == "skipped"}
    assert skipped == {
        ".cache": "hidden directory: neither it nor anything in it is read",
        ".hidden.txt": "hidden file (name starts with '.')",
        "again": "the same directory as sub, read there",
        "dangling.pdf": f"dangling symlink: its target {odd_inbox.parent / 'gone.pdf'} does not exist",
        "loop_a": f"symlink loop ({odd_inbox / 'loop_b'})",
        "loop_b": f"symlink loop ({odd_inbox / 'loop_a'})",
        "pipe": "not a regular file (fifo): never opened",
        "up": f"symlink loop: leads back to {odd_inbox.parent}, which holds the directory being read",
    }
    assert entries["linked"].action == "directory"
    assert entries["linked"].reason == f"symlink to {odd_inbox.parent}/elsewhere"
    assert entries["pipe"].kind == "fifo"
    gbk = entries[printable(os.fsdecode(GBK_NAME))]
    assert gbk.file_name == "政府办公厅2019年部门决算.txt"
    assert gbk.reason.startswith("file name is not UTF-8; read as GB18030")


def test_undecodable_name_is_kept_escaped():
    assert readable_name(os.fsdecode(b"\xff\xfe.txt")) == (
        "\\xff\\xfe.txt", "file name is not UTF-8 nor GB18030; its bytes are kept escaped as \\xNN")
    assert readable_name("公开表.xlsx") == ("公开表.xlsx", None)


def test_register_records_every_entry_and_a_vanished_file_is_a_skip(odd_inbox: Path, tmp_path: Path, monkeypatch):
    doomed = odd_inbox / "sub" / "vanishing.txt"
    doomed.write_text("消失的文件\n", encoding="utf-8")
    real_scan = inbox_module.scan_inbox

    def scan_then_delete(inbox: Path):
        entries = real_scan(inbox)
        doomed.unlink()  # gone between the scan and its reading
        return entries

    monkeypatch.setattr(inbox_module, "scan_inbox", scan_then_delete)
    store = RawFileStore(tmp_path / "store")
    with raw_layer.connect(str(tmp_path / "raw.duckdb")) as con:
        counts = register_inbox(odd_inbox, store, con)
        files = dict(con.execute("select file_name, inbox_path from document_files").fetchall())
        recorded = dict(con.execute("select entry_path, coalesce(reason, action) from inbox_entries "
                                    "where action = 'skipped'").fetchall())
        n_entries = con.execute("select count(*) from inbox_entries").fetchone()[0]
    assert sorted(files) == ["sample_000000_2015_juesuan.txt", "sample_000001_2015_yusuan.txt",
                             "政府办公厅2019年部门决算.txt"]
    assert files["sample_000001_2015_yusuan.txt"] == str(tmp_path / "elsewhere" / "sample_000001_2015_yusuan.txt")
    assert recorded["sub/vanishing.txt"] == "vanished while the inbox was scanned"
    assert recorded["pipe"] == "not a regular file (fifo): never opened"
    assert len(recorded) == 9
    # 3 read + 9 skipped + 2 directories (sub, linked)
    assert n_entries == 14 and counts["entries_skipped"] == 9 and counts["files"] == 3


def test_a_second_scan_keeps_entries_gone_since(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (name, text), = _reports(1)
    (inbox / name).write_text(text, encoding="utf-8")
    os.mkfifo(inbox / "pipe")
    store = RawFileStore(tmp_path / "store")
    with raw_layer.connect(str(tmp_path / "raw.duckdb")) as con:
        register_inbox(inbox, store, con)
        (inbox / "pipe").unlink()
        register_inbox(inbox, store, con)
        rows = con.execute("select entry_path, action, first_seen_at < last_seen_at, "
                           "last_seen_at = max(last_seen_at) over () from inbox_entries order by 1").fetchall()
    assert rows == [("pipe", "skipped", False, False), (name, "read", True, True)]


def test_manifest_in_a_folder_whose_name_is_not_utf8(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    folder = os.path.join(os.fsencode(inbox), "县财政局".encode("gbk"))
    os.mkdir(folder)
    (name, text), = _reports(1)
    with open(os.path.join(folder, name.encode()), "w", encoding="utf-8") as handle:
        handle.write(text)
    with open(os.path.join(folder, b"manifest.csv"), "w", encoding="utf-8") as handle:
        handle.write(f"file,unit,year,kind,source_url\n{name},县财政局,2015,决算,https://example.gov.cn/a.txt\n")
    with raw_layer.connect(str(tmp_path / "raw.duckdb")) as con:
        register_inbox(inbox, RawFileStore(tmp_path / "store"), con)
        (inbox_path,) = con.execute("select inbox_path from document_files").fetchone()
        target, unit = con.execute("select target_path, unit_name from manifest_entries").fetchone()
    assert inbox_path == target == f"{inbox}/\\xcf\\xd8\\xb2\\xc6\\xd5\\xfe\\xbe\\xd6/{name}"
    assert unit == "县财政局"
