"""`fiscal withdraw` / `fiscal restore` in the raw layer: the log is append-only, a withdrawn document is
never parsed and stands quarantined with the withdrawal as its reason, its stored copy stays, a restored
one is parsed again (no refresh needed; the end-to-end test is in test_inbox_robustness_end_to_end.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import raw_layer
from ingest.inbox import parse_pending, pending_documents, register_inbox
from ingest.sample_reports import generate_with_faults
from ingest.store import RawFileStore
from ingest.withdrawals import UnknownDocument, apply_withdrawals, current, find_document, record


@pytest.fixture()
def parsed(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, text, _kind, _detail in generate_with_faults(2, 11, 0.0):
        (inbox / name).write_text(text, encoding="utf-8")
    store = RawFileStore(tmp_path / "store")
    con = raw_layer.connect(str(tmp_path / "raw.duckdb"))
    register_inbox(inbox, store, con)
    parse_pending(con, store, workers=1)
    yield inbox, store, con
    con.close()


def _document(con, name: str) -> tuple:
    return con.execute("select d.status, d.reason, d.n_cells, (select count(*) from cells c where "
                       "c.content_hash = d.content_hash) from documents d where file_name = ?", [name]).fetchone()


def test_withdraw_then_restore(parsed):
    inbox, store, con = parsed
    name = "sample_000000_2015_juesuan.txt"
    status, _reason, n_cells, cells = _document(con, name)
    assert status == "parsed" and n_cells == cells and cells > 50
    content_hash, file_name = find_document(con, name)
    assert (content_hash, file_name) == find_document(con, content_hash[:12]) == find_document(con, str(inbox / name))

    entry = record(con, content_hash, file_name, "withdraw", "poison [/'Font', 1]", "maintainer")
    assert apply_withdrawals(con, store) == {"withdrawn": [name], "restored": []}
    assert apply_withdrawals(con, store) == {"withdrawn": [], "restored": []}  # idempotent
    status, reason, n_cells, cells = _document(con, name)
    assert (status, n_cells, cells) == ("quarantined", 0, 0)
    assert reason == (f"{name}: withdrawn by maintainer at {entry.acted_at:%Y-%m-%d %H:%M:%S} UTC "
                      "(poison [/'Font', 1]); its stored copy and history are kept, `fiscal restore` brings it back")
    assert store.path_for(content_hash, ".txt").read_bytes() == (inbox / name).read_bytes()
    assert con.execute("select count(*) from document_files where content_hash = ?", [content_hash]).fetchone()[0] == 1
    assert pending_documents(con, store) == []
    # the other report is untouched
    assert _document(con, "sample_000001_2015_yusuan.txt")[0] == "parsed"

    record(con, content_hash, file_name, "restore", "checked", "maintainer")
    assert apply_withdrawals(con, store) == {"withdrawn": [], "restored": [name]}
    assert [path.name for path, _ in pending_documents(con, store)] == [f"{content_hash}.txt"]
    parse_pending(con, store, workers=1)
    status, _reason, n_cells, cells = _document(con, name)
    assert status == "parsed" and n_cells == cells > 50
    log = con.execute("select action, reason from document_withdrawals order by acted_at").fetchall()
    assert log == [("withdraw", "poison [/'Font', 1]"), ("restore", "checked")]
    assert current(con)[content_hash][0] == "restore"


def test_a_file_withdrawn_before_it_arrives_is_never_parsed(parsed, tmp_path: Path):
    inbox, store, con = parsed
    poison = tmp_path / "later.txt"
    _name, text, _kind, _detail = list(generate_with_faults(3, 12, 0.0))[2]
    poison.write_text(text, encoding="utf-8")
    content_hash, file_name = find_document(con, str(poison))
    record(con, content_hash, file_name, "withdraw", "known bad copy", "maintainer")
    assert apply_withdrawals(con, store) == {"withdrawn": [], "restored": []}  # nothing stored yet
    (inbox / "later.txt").write_bytes(poison.read_bytes())
    register_inbox(inbox, store, con)
    assert pending_documents(con, store) == []
    assert apply_withdrawals(con, store) == {"withdrawn": ["later.txt"], "restored": []}
    status, reason, n_cells, _cells = _document(con, "later.txt")
    assert status == "quarantined" and n_cells == 0 and "withdrawn by maintainer" in reason


def test_ambiguous_or_unknown_names_are_refused(parsed):
    _inbox, _store, con = parsed
    with pytest.raises(UnknownDocument, match="no document in this warehouse is named 'nothing.pdf'"):
        find_document(con, "nothing.pdf")
