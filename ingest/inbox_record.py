"""The raw layer's account of the inbox: every entry the last scans saw, and the withdrawal log.

``inbox_entries`` holds one row per entry path of each inbox (upserted by every scan: first and last
seen, what was done with it and why), so an entry that is skipped is never silently gone.
``document_withdrawals`` is append-only: every ``fiscal withdraw`` and ``fiscal restore``.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from ingest.inbox_scan import InboxEntry

DDL = """
create table if not exists inbox_entries (
    inbox_root varchar not null,       -- the inbox scanned (printable absolute path)
    entry_path varchar not null,       -- relative to it, undecodable bytes as \\xNN
    entry_kind varchar not null,       -- file | directory | symlink | fifo | socket | character device | …
    action varchar not null,           -- read | manifest | directory | skipped
    reason varchar,                    -- why skipped; how a symlink or an odd name was read
    inbox_path varchar,                -- a read file: its resolved path (document_files.inbox_path)
    file_name varchar,                 -- a read file: the name its document is filed under
    size_bytes bigint,
    first_seen_at timestamp not null,
    last_seen_at timestamp not null,
    primary key (inbox_root, entry_path)
);
create table if not exists document_withdrawals (
    content_hash varchar not null,
    file_name varchar not null,
    action varchar not null,           -- withdraw | restore
    reason varchar not null,
    acted_by varchar not null,
    acted_at timestamp not null
);
"""
COLUMNS = ["inbox_root", "entry_path", "entry_kind", "action", "reason", "inbox_path", "file_name", "size_bytes",
           "first_seen_at", "last_seen_at"]


def record_entries(con: duckdb.DuckDBPyConnection, inbox_root: str, entries: list[tuple[InboxEntry, str | None]],
                   now: datetime) -> None:
    """Upsert this scan's entries (each with its resolved inbox path when read)."""
    if not entries:
        return
    frame = pd.DataFrame([{"inbox_root": inbox_root, "entry_path": e.entry_path, "entry_kind": e.kind,
                           "action": e.action, "reason": e.reason, "inbox_path": inbox_path,
                           "file_name": e.file_name if e.action in ("read", "manifest") else None,
                           "size_bytes": e.size_bytes, "first_seen_at": now, "last_seen_at": now}
                          for e, inbox_path in entries], columns=COLUMNS)
    frame = frame.drop_duplicates(subset=["entry_path"], keep="last")
    con.register("incoming_inbox_entries", frame)
    try:
        con.execute("""
            insert into inbox_entries by name select * from incoming_inbox_entries
            on conflict (inbox_root, entry_path) do update set
                entry_kind = excluded.entry_kind, action = excluded.action, reason = excluded.reason,
                inbox_path = excluded.inbox_path, file_name = excluded.file_name, size_bytes = excluded.size_bytes,
                last_seen_at = excluded.last_seen_at
        """)
    finally:
        con.unregister("incoming_inbox_entries")
