"""Withdrawing a document: a maintainer's decision that it leaves the current facts, kept in a log.

``fiscal withdraw FILE|HASH --reason …`` appends to ``document_withdrawals`` (raw layer, append-only)
and ``fiscal restore`` appends the reverse. Nothing is deleted: the stored copy stays in the store, its
sightings and its versions stay. A withdrawn document is never parsed (a document that breaks the raw
load or a key test can be taken out this way) and stands in the raw layer as quarantined with the
withdrawal as its reason, so the next publish leaves its facts out and ``dim_document`` says why;
restored, it is parsed again at the next refresh.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest import raw_layer
from ingest.parse_report import ParseOutcome, document_row
from ingest.reader import load_report_file
from ingest.store import RawFileStore

CURRENT = """
    select content_hash, arg_max(action, acted_at) as action from document_withdrawals group by content_hash
"""
WITHDRAWN_HASHES = f"(select content_hash from ({CURRENT}) where action = 'withdraw')"


class UnknownDocument(LookupError):
    """The FILE|HASH given names no document, or more than one."""


@dataclass(frozen=True)
class Action:
    content_hash: str
    file_name: str
    action: str  # withdraw | restore
    reason: str
    acted_by: str
    acted_at: datetime

    def quarantine_reason(self) -> str:
        return (f"{self.file_name}: withdrawn by {self.acted_by} at {self.acted_at:%Y-%m-%d %H:%M:%S} UTC "
                f"({self.reason}); its stored copy and history are kept, `fiscal restore` brings it back")


def find_document(con: duckdb.DuckDBPyConnection, target: str) -> tuple[str, str]:
    """(content hash, file name) of the document named by a file path, a file name or a hash (prefix of
    at least 8 hex digits). A file not seen yet is named by the hash of its bytes."""
    text = target.strip()
    if len(text) >= 8 and all(c in "0123456789abcdef" for c in text.lower()):
        rows = con.execute("select distinct content_hash, file_name from document_files where content_hash like ? "
                           "order by 1, 2", [text.lower() + "%"]).fetchall()
        return _one(rows, target)
    path = Path(target)
    if path.is_file():
        content_hash = hashlib.sha256(path.read_bytes()).hexdigest()
        return content_hash, _name_of(con, content_hash) or path.name
    rows = con.execute("select distinct content_hash, file_name from document_files where file_name = ? "
                       "or inbox_path = ? order by 1", [path.name, str(path.resolve())]).fetchall()
    return _one(rows, target)


def _one(rows: list[tuple[str, str]], target: str) -> tuple[str, str]:
    hashes = {content_hash for content_hash, _ in rows}
    if not hashes:
        raise UnknownDocument(f"no document in this warehouse is named {target!r} (a file, file name or sha256)")
    if len(hashes) > 1:
        listed = "; ".join(f"{h[:16]} {name}" for h, name in rows[:10])
        raise UnknownDocument(f"{target!r} names {len(hashes)} documents ({listed}): give the sha256 of one")
    return rows[0]


def _name_of(con: duckdb.DuckDBPyConnection, content_hash: str) -> str | None:
    row = con.execute("select min(file_name) from document_files where content_hash = ?", [content_hash]).fetchone()
    return row[0] if row else None


def record(con: duckdb.DuckDBPyConnection, content_hash: str, file_name: str, action: str, reason: str,
           acted_by: str) -> Action:
    """Append one withdraw or restore to the log; returns it."""
    entry = Action(content_hash, file_name, action, reason, acted_by, datetime.now(UTC).replace(tzinfo=None))
    con.execute("insert into document_withdrawals values (?, ?, ?, ?, ?, ?)",
                [entry.content_hash, entry.file_name, entry.action, entry.reason, entry.acted_by, entry.acted_at])
    return entry


def current(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, Action | None]]:
    """content hash -> (its last action, its last withdrawal)."""
    state: dict[str, tuple[str, Action | None]] = {}
    for row in con.execute("select content_hash, file_name, action, reason, acted_by, acted_at "
                           "from document_withdrawals order by acted_at").fetchall():
        entry = Action(*row)
        last_withdrawal = entry if entry.action == "withdraw" else state.get(entry.content_hash, ("", None))[1]
        state[entry.content_hash] = (entry.action, last_withdrawal)
    return state


def apply_withdrawals(con: duckdb.DuckDBPyConnection, store: RawFileStore) -> dict[str, list[str]]:
    """Bring the raw layer in line with the log: a withdrawn document stands as quarantined with the
    withdrawal as reason (its parse removed, its readings and sightings kept); a restored one is dropped
    from ``documents`` so that it is parsed again. Returns the file names changed, by action."""
    now = datetime.now(UTC).replace(tzinfo=None)
    changed: dict[str, list[str]] = {"withdrawn": [], "restored": []}
    rows = {h: (status, reason) for h, status, reason in
            con.execute("select content_hash, status, reason from documents").fetchall()}
    for content_hash, (action, withdrawal) in current(con).items():
        if withdrawal is None:
            continue
        reason = withdrawal.quarantine_reason()
        row = rows.get(content_hash)
        if action == "restore":
            if row == ("quarantined", reason):
                con.execute("delete from documents where content_hash = ?", [content_hash])
                changed["restored"].append(withdrawal.file_name)
            continue
        if row == ("quarantined", reason):
            continue
        if row is None:
            stored = _stored(con, store, content_hash)
            if stored is None:  # withdrawn before it reached this warehouse: it will not be parsed
                continue
            report = load_report_file(stored)
            document = {**document_row(report, stored, reason), "file_name": withdrawal.file_name}
            raw_layer.load_outcomes(con, [ParseOutcome(document=document)])
        else:
            _replace_parse(con, content_hash, reason, now)
        changed["withdrawn"].append(withdrawal.file_name)
    return changed


def _stored(con: duckdb.DuckDBPyConnection, store: RawFileStore, content_hash: str) -> Path | None:
    row = con.execute("select min(inbox_path) from document_files where content_hash = ?", [content_hash]).fetchone()
    if not row or row[0] is None:
        return None
    stored = store.path_for(content_hash, Path(row[0]).suffix)
    return stored if stored.exists() else None


def _replace_parse(con: duckdb.DuckDBPyConnection, content_hash: str, reason: str, now: datetime) -> None:
    con.execute("begin transaction")
    try:
        for table in raw_layer.DERIVED_TABLES:
            con.execute(f"delete from {table} where content_hash = ?", [content_hash])
        # a new parsed_at: the incremental models and the audit see the document change
        con.execute("""
            update documents set status = 'quarantined', reason = ?, n_tables = 0, n_cells = 0,
                read_status = 'quarantined', read_reason = ?, parsed_at = ?
            where content_hash = ?
        """, [reason, reason, now, content_hash])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
