"""From inbox files to the raw layer: keep every file by content hash, parse only what is new.

``register_inbox`` copies each inbox file into the immutable store and records where it was seen, and
reads the scraper's ``manifest.csv`` files (``ingest.manifest``: kept in the store too, never parsed as a
report); ``parse_pending`` parses the documents the raw layer does not hold yet (or holds from an older
parser version), in a process pool when there are many, loads them in bulk batches, and then resolves
every document's unit, year, kind and report across the inbox (``ingest.report_resolution``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest import PARSER_VERSION, raw_layer
from ingest.inbox_record import record_entries
from ingest.inbox_scan import scan_inbox, vanished
from ingest.manifest import read_manifest
from ingest.names import printable
from ingest.parse_pool import ParseLimits, bounded_outcomes
from ingest.parse_report import ParseOutcome
from ingest.reader import load_report_file
from ingest.report_resolution import resolve_reports
from ingest.store import RawFileStore
from ingest.withdrawals import WITHDRAWN_HASHES

BATCH_SIZE = 200
POOL_THRESHOLD = 16  # (kept for callers; every file is now parsed in a bounded worker)


def register_inbox(inbox: Path, store: RawFileStore, con: duckdb.DuckDBPyConnection) -> dict:
    """Store every inbox file by content hash and record the sighting, and record every entry of the
    inbox with what was done with it (``ingest.inbox_scan``: skipped ones with why); returns counts."""
    now = datetime.now(UTC).replace(tzinfo=None)
    known = raw_layer.known_fingerprints(con)
    sightings, hashes, files, manifests, recorded = [], set(), 0, [], []
    for entry in scan_inbox(inbox):
        inbox_path = entry.resolved if entry.action in ("read", "manifest") else None
        if entry.action == "manifest":
            try:
                manifest = load_report_file(entry.path)
            except OSError as exc:
                entry, inbox_path = vanished(entry, exc), None
            else:
                manifests.append((entry.path, manifest))
        elif entry.action == "read":
            fingerprint = (inbox_path, entry.size_bytes, entry.mtime_ns)
            if fingerprint not in known:
                try:  # a file may vanish or change between the scan and its reading: a skip, not a failure
                    report = load_report_file(entry.path)
                except OSError as exc:
                    entry, inbox_path = vanished(entry, exc), None
                else:
                    store.keep(report)
                    hashes.add(report.content_hash)
                    sightings.append({"content_hash": report.content_hash, "file_name": entry.file_name,
                                      "inbox_path": inbox_path, "size_bytes": entry.size_bytes,
                                      "mtime_ns": entry.mtime_ns, "seen_at": now})
            files += entry.action == "read"
        recorded.append((entry, inbox_path))
    for _path, manifest in manifests:  # small, and a scraper rewrites them: read on every refresh
        store.keep(manifest)
    store.flush()  # the raw layer never names a stored file that a crash could lose
    raw_layer.record_file_names(con, sightings)
    record_entries(con, printable(str(inbox.resolve())), recorded, now)
    n_entries = 0
    for path, _manifest in manifests:
        manifest_path = printable(str(path.resolve()))
        try:
            entries = [{**entry, "manifest_path": manifest_path,  # paths as document_files holds them
                        "target_path": entry["target_path"] and printable(entry["target_path"])}
                       for entry in read_manifest(path, now)]
        except OSError:  # vanished since it was kept: its rows stay as last read
            continue
        raw_layer.record_manifest(con, manifest_path, entries)
        n_entries += len(entries)
    skipped = [entry for entry, _ in recorded if entry.action == "skipped"]
    return {"files": files, "files_new_or_changed": len(sightings), "distinct_new_contents": len(hashes),
            "manifests": len(manifests), "manifest_entries": n_entries, "entries": len(recorded),
            "entries_skipped": len(skipped),
            "skipped": [f"{entry.entry_path}: {entry.reason}" for entry in skipped]}


def pending_documents(con: duckdb.DuckDBPyConnection, store: RawFileStore,
                      limits: ParseLimits | None = None) -> list[tuple[Path, str]]:
    """(stored file, original name) of documents seen but not parsed by this parser version, and of those a
    parse limit stopped under other limits than ``limits`` (a maintainer raised them: they are read again)."""
    limits = limits or ParseLimits.from_env()
    rows = con.execute(
        f"""
        with sightings as (
            select content_hash, min(file_name) as file_name, min(inbox_path) as inbox_path
            from document_files group by content_hash
        )
        select s.content_hash, s.file_name, s.inbox_path
        from sightings s
        left join documents d on d.content_hash = s.content_hash and d.parser_version = ?
        where (d.content_hash is null
               or (d.status = 'quarantined' and d.reason not like ?  -- stopped under other limits, or before
                   and (d.reason like '%exceeds limits (%' or d.reason like '%the process reading it died%')))
            and s.content_hash not in {WITHDRAWN_HASHES}  -- withdrawn by a maintainer: never parsed
        order by s.content_hash
        """,
        [PARSER_VERSION, f"%{limits.signature}%"],
    ).fetchall()
    out = []
    for content_hash, file_name, inbox_path in rows:
        stored = store.path_for(content_hash, Path(inbox_path).suffix)
        out.append((stored, file_name))
    return out


def _outcomes(jobs: list[tuple[Path, str]], workers: int) -> Iterator[ParseOutcome]:
    """Every job parsed in a worker under the time and memory limits (``ingest.parse_pool``)."""
    return bounded_outcomes(jobs, workers, ahead_of_use=BATCH_SIZE)  # parsed on while a batch loads


def parse_pending(con: duckdb.DuckDBPyConnection, store: RawFileStore, workers: int | None = None,
                  on_loaded: Callable[[list[dict], int], None] | None = None) -> dict:
    """Parse new documents and load them in transactional batches; returns counts.

    ``on_loaded`` receives the document rows of each batch once it is committed, and how many documents
    this call parses in all.
    """
    jobs = pending_documents(con, store)
    workers = workers or os.cpu_count() or 1
    batch: list[ParseOutcome] = []
    counts = {"parsed": 0, "quarantined": 0, "cells": 0, "pending": len(jobs)}
    for outcome in _outcomes(jobs, workers):
        batch.append(outcome)
        counts["quarantined" if outcome.document["status"] == "quarantined" else "parsed"] += 1
        counts["cells"] += len(outcome.cells)
        if len(batch) >= BATCH_SIZE:
            _load(con, batch, on_loaded, len(jobs))
            batch = []
    _load(con, batch, on_loaded, len(jobs))
    counts.update(resolve_reports(con))  # a new file may complete another (a companion), a manifest may change
    return counts


def _load(con: duckdb.DuckDBPyConnection, batch: list[ParseOutcome],
          on_loaded: Callable[[list[dict], int], None] | None, n_pending: int) -> None:
    if not batch:
        return
    raw_layer.load_outcomes(con, batch)
    if on_loaded:
        on_loaded([outcome.document for outcome in batch], n_pending)
