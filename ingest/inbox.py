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
from ingest.manifest import is_manifest, read_manifest
from ingest.parse_pool import bounded_outcomes
from ingest.parse_report import ParseOutcome
from ingest.reader import load_report_file
from ingest.report_resolution import resolve_reports
from ingest.store import RawFileStore, inbox_files

BATCH_SIZE = 200
POOL_THRESHOLD = 16  # (kept for callers; every file is now parsed in a bounded worker)


def register_inbox(inbox: Path, store: RawFileStore, con: duckdb.DuckDBPyConnection) -> dict:
    """Store every inbox file by content hash and record the sighting; returns counts."""
    now = datetime.now(UTC).replace(tzinfo=None)
    known = raw_layer.known_fingerprints(con)
    sightings, hashes, files, manifests = [], set(), 0, []
    for path in inbox_files(inbox):
        if is_manifest(path):
            manifests.append(path)
            continue
        files += 1
        stat = path.stat()
        fingerprint = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        if fingerprint in known:
            continue
        report = load_report_file(path)
        store.keep(report)
        hashes.add(report.content_hash)
        sightings.append({"content_hash": report.content_hash, "file_name": path.name, "inbox_path": fingerprint[0],
                          "size_bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns, "seen_at": now})
    for path in manifests:  # small, and a scraper rewrites them: read on every refresh
        store.keep(load_report_file(path))
    store.flush()  # the raw layer never names a stored file that a crash could lose
    raw_layer.record_file_names(con, sightings)
    n_entries = 0
    for path in manifests:
        entries = read_manifest(path, now)
        raw_layer.record_manifest(con, str(path.resolve()), entries)
        n_entries += len(entries)
    return {"files": files, "files_new_or_changed": len(sightings), "distinct_new_contents": len(hashes),
            "manifests": len(manifests), "manifest_entries": n_entries}


def pending_documents(con: duckdb.DuckDBPyConnection, store: RawFileStore) -> list[tuple[Path, str]]:
    """(stored file, original name) of documents seen but not parsed by this parser version."""
    rows = con.execute(
        """
        with sightings as (
            select content_hash, min(file_name) as file_name, min(inbox_path) as inbox_path
            from document_files group by content_hash
        )
        select s.content_hash, s.file_name, s.inbox_path
        from sightings s
        left join documents d on d.content_hash = s.content_hash and d.parser_version = ?
        where d.content_hash is null
        order by s.content_hash
        """,
        [PARSER_VERSION],
    ).fetchall()
    out = []
    for content_hash, file_name, inbox_path in rows:
        stored = store.path_for(content_hash, Path(inbox_path).suffix)
        out.append((stored, file_name))
    return out


def _outcomes(jobs: list[tuple[Path, str]], workers: int) -> Iterator[ParseOutcome]:
    """Every job parsed in a worker under the time and memory limits (``ingest.parse_pool``)."""
    return bounded_outcomes(jobs, workers)


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
