"""Documents into reports, over the whole inbox: manifest overrides, split reports, one report id.

Runs after every parse (``resolve_reports``) on every document of the raw layer, so what one file says
about another (a companion's year, a manifest row) applies whenever it arrives:

1. **Manifest.** A ``manifest.csv`` row naming the file (``ingest.manifest``) adds ``manifest`` readings,
   which take precedence over what the document prints (``ingest.metadata.PRECEDENCE``); a disagreement is
   kept in ``metadata_conflicts``.
2. **Companions.** A report published as a narrative file (no tables) and a table attachment is one
   report. A narrative file and a file with tables are companions when they were seen in the same inbox
   folder, their years agree (or one prints none), their kinds agree (or one is unknown), and their unit
   names are the same by key or the longer one adds a prefix to the shorter (中共江苏省委办公厅 /
   江苏省委办公厅, 上海市普陀区财政局 / 财政局: the longer adds a region or 中共, never a suffix, so 上海市财政局
   and 上海市财政局机关服务中心 stay apart). Of several such files, the narrative takes the one whose unit
   key and year agree exactly; a tie links none. Each then reads what the other prints as ``companion``
   readings, the lowest precedence: they fill only what a file does not print (the attachment's year).
3. **One unit, one report id.** Unit names linked as companions are one unit (a union over every
   document, so a spelling always names the same unit); its name is the longest spelling
   (``report_unit_name``). ``report_id`` is a hash of (unit, year, kind): every file of a report — its
   parts and its versions — shares it. ``report_part`` is ``tables`` for a file with tables, else
   ``narrative``; versions supersede one another only within a part (dbt ``int_report_versions``), and a
   draft never supersedes a final.
4. **Status.** A readable file with tables but no unit or year after all this is quarantined with why;
   one that gains them (a companion arrives, a manifest row is added) is released. So is a file whose year
   is not certain (``ingest.metadata.year_problem``: a range such as 2015-2016年度, two years in the title,
   a year after next year or before 2000): it waits for a manifest row giving its year, never filed by guess.

A document whose unit, year, kind or status changes gets a new ``parsed_at``, so the incremental models and
the audit take it again.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ingest.metadata import Candidate, DocumentMetadata, choose, unit_key

CANDIDATE_COLUMNS = ["content_hash", "field", "value", "source", "line_no", "page_no", "evidence", "n_printed"]
RESOLVED_COLUMNS = ["content_hash", "unit_name", "fiscal_year", "report_kind", "unit_source", "year_source",
                    "kind_source", "is_draft", "draft_source", "metadata_conflicts", "report_id", "report_unit_name",
                    "source_url", "status", "reason"]
# a change in these re-derives the document's facts (unit, year, kind and publication)
_FACT_COLUMNS = ("unit_name", "fiscal_year", "report_kind", "report_unit_name", "status")
_MIN_KEY = 3  # the shortest unit name another may end with (局, 厅 alone name nothing)


# ---------------------------------------------------------------- rows shared with the parser


def metadata_columns(metadata: DocumentMetadata | None) -> dict:
    """The document row's metadata columns as read from the document itself."""
    metadata = metadata or DocumentMetadata()
    return {"report_kind": metadata.report_kind, "unit_name": metadata.unit_name,
            "fiscal_year": metadata.fiscal_year, "unit_source": metadata.unit_source,
            "year_source": metadata.year_source, "kind_source": metadata.kind_source,
            "is_draft": metadata.is_draft, "draft_source": metadata.draft_source,
            "metadata_conflicts": metadata.conflict_text, "report_part": "narrative"}


def candidate_row(content_hash: str, candidate: Candidate, page_no: int | None) -> dict:
    return {"content_hash": content_hash, "field": candidate.field, "value": candidate.value,
            "source": candidate.source, "line_no": candidate.line_no, "page_no": page_no,
            "evidence": candidate.evidence, "n_printed": candidate.count}


def missing_metadata(unit_name: str | None, fiscal_year: int | None) -> list[str]:
    return [name for name, value in (("unit", unit_name), ("fiscal year", fiscal_year)) if value is None]


def missing_metadata_reason(file_name: str, missing: list[str], has_tables: bool = True) -> str:
    found = "tables found but " if has_tables else ""
    return (f"{file_name}: {found}no {' or '.join(missing)} could be read from the report (title, captions, "
            "cover, table titles), its file name, a companion file in the same folder or the manifest")


# ---------------------------------------------------------------- the resolution itself (pure)


@dataclass(slots=True)
class InboxDocument:
    content_hash: str
    file_name: str
    read_status: str  # parsed | quarantined (what reading the file decided)
    read_reason: str | None
    report_part: str | None  # tables | narrative | None (unreadable)
    inbox_paths: list[str] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)  # read from the document and its file name
    folders: set[str] = field(init=False)

    def __post_init__(self) -> None:
        self.folders = {os.path.dirname(p) for p in self.inbox_paths}


@dataclass(slots=True)
class Resolution:
    row: dict  # RESOLVED_COLUMNS
    added: list[Candidate]  # manifest and companion readings
    companions: list[str]


def resolve(documents: list[InboxDocument], manifest: list[dict]) -> tuple[dict[str, Resolution], list[dict]]:
    """Each document's resolved metadata, report id and status; and each manifest row with the document it
    applies to (``content_hash``) or why it applies to none (``problem``)."""
    by_hash = {d.content_hash: d for d in documents}
    applied, urls, entries = _manifest_readings(documents, manifest)
    readings = {h: d.candidates + applied.get(h, []) for h, d in by_hash.items()}
    first = {h: choose(c) for h, c in readings.items()}
    links = _companion_links(documents, first)
    added: dict[str, list[Candidate]] = {h: list(applied.get(h, [])) for h in by_hash}
    linked = {h for link in links for h in link}
    for narrative, tables in links:
        for target, other in ((narrative, tables), (tables, narrative)):
            readings[target] = readings[target] + _companion_readings(by_hash[other], first[other])
            added[target] += _companion_readings(by_hash[other], first[other])
    chosen = {h: choose(readings[h]) if h in linked else first[h] for h in by_hash}
    canonical = _canonical_units(chosen, links)
    partners: dict[str, list[str]] = defaultdict(list)
    for narrative, tables in links:
        partners[narrative].append(tables)
        partners[tables].append(narrative)
    out = {}
    for h, document in by_hash.items():
        meta = chosen[h]
        report_unit = canonical.get(unit_key(meta.unit_name)) if meta.unit_name else None
        report_id = None
        if report_unit and meta.fiscal_year:
            report_id = hashlib.sha256(
                f"{unit_key(report_unit)}|{meta.fiscal_year}|{meta.report_kind}".encode()).hexdigest()[:16]
        status, reason = document.read_status, document.read_reason
        missing = missing_metadata(meta.unit_name, meta.fiscal_year)
        if status == "parsed" and missing:
            status = "quarantined"
            reason = missing_metadata_reason(document.file_name, missing, document.report_part == "tables")
        elif status == "parsed" and meta.year_problem:  # never filed by guess: it waits for the manifest's word
            status = "quarantined"
            reason = (f"{document.file_name}: year not certain: {meta.year_problem}; the document waits for a "
                      "manifest.csv entry giving its year (or a maintainer)")
        row = {"content_hash": h, "unit_name": meta.unit_name, "fiscal_year": meta.fiscal_year,
               "report_kind": meta.report_kind, "unit_source": meta.unit_source, "year_source": meta.year_source,
               "kind_source": meta.kind_source, "is_draft": meta.is_draft, "draft_source": meta.draft_source,
               "metadata_conflicts": meta.conflict_text, "report_id": report_id, "report_unit_name": report_unit,
               "source_url": urls.get(h), "status": status, "reason": reason}
        out[h] = Resolution(row=row, added=added[h], companions=sorted(partners.get(h, [])))
    return out, entries


def _manifest_readings(documents: list[InboxDocument],
                       manifest: list[dict]) -> tuple[dict[str, list[Candidate]], dict[str, str], list[dict]]:
    """Readings each manifest row gives its document, the documents' source URLs, and the rows with the
    document each names (or why none)."""
    by_path = {p: d.content_hash for d in documents for p in d.inbox_paths}
    by_name: dict[str, set[str]] = defaultdict(set)
    for d in documents:
        for p in d.inbox_paths:
            by_name[Path(p).name].add(d.content_hash)
    readings: dict[str, list[Candidate]] = defaultdict(list)
    urls: dict[str, str] = {}
    entries = []
    # the latest row naming a file wins: rows are taken newest first, and a file given values keeps them
    for entry in sorted(manifest, key=lambda e: (e["read_at"], e["manifest_path"], e["line_no"]), reverse=True):
        entry = dict(entry)
        target = by_path.get(entry.get("target_path") or "")
        if target is None and entry.get("file") and "/" not in entry["file"] and len(by_name[entry["file"]]) == 1:
            target = next(iter(by_name[entry["file"]]))
        entry["content_hash"] = target
        if target is None and entry.get("file"):
            problem = f"no file {entry['file']!r} in the inbox"
            entry["problem"] = "; ".join(p for p in (entry.get("problem"), problem) if p)
        entries.append(entry)
        if target is None or target in urls or any(c.source == "manifest" for c in readings[target]):
            continue
        where = f"{Path(entry['manifest_path']).name}:{entry['line_no']}"
        for name, column in (("unit", "unit_name"), ("year", "fiscal_year"), ("kind", "report_kind")):
            if entry.get(column) is not None and not pd.isna(entry[column]):
                value = str(int(entry[column])) if name == "year" else str(entry[column])
                readings[target].append(Candidate(name, value, "manifest", None, where))
        if entry.get("source_url"):
            urls[target] = entry["source_url"]
    return dict(readings), urls, entries


def _companion_links(documents: list[InboxDocument], first: dict[str, DocumentMetadata]) -> list[tuple[str, str]]:
    """(narrative, tables) pairs of one split report. Files with tables are indexed by folder and by every
    ending of their unit key, so each narrative file is compared only with files that could match it."""
    by_ending: dict[tuple[str, str], list[InboxDocument]] = defaultdict(list)  # (folder, key ending) -> files
    by_key: dict[tuple[str, str], list[InboxDocument]] = defaultdict(list)  # (folder, key) -> files
    for document in documents:
        name = first[document.content_hash].unit_name
        if document.report_part != "tables" or not name:
            continue
        key = unit_key(name)
        for folder in document.folders:
            by_key[(folder, key)].append(document)
            for start in range(len(key) - _MIN_KEY + 1):
                by_ending[(folder, key[start:])].append(document)
    links = []
    for narrative in (d for d in documents if d.report_part == "narrative"):
        name = first[narrative.content_hash].unit_name
        if not name:
            continue
        key = unit_key(name)
        endings = [key[start:] for start in range(1, len(key) - _MIN_KEY + 1)]
        possible = {}
        for folder in narrative.folders:  # a longer name ending with this one, or one this name ends with
            for other in by_ending.get((folder, key), []) + [t for e in endings for t in by_key.get((folder, e), [])]:
                possible[other.content_hash] = other
        scored = []
        for other in possible.values():
            score = _companion_score(narrative, first[narrative.content_hash], other, first[other.content_hash])
            if score is not None:
                scored.append((score, other.content_hash))
        if not scored:
            continue
        best = max(score for score, _ in scored)
        winners = [h for score, h in scored if score == best]
        if len(winners) == 1:
            links.append((narrative.content_hash, winners[0]))
    return links


def _companion_score(a: InboxDocument, meta_a: DocumentMetadata, b: InboxDocument,
                     meta_b: DocumentMetadata) -> int | None:
    if not (a.folders & b.folders) or not meta_a.unit_name or not meta_b.unit_name:
        return None
    if meta_a.fiscal_year and meta_b.fiscal_year and meta_a.fiscal_year != meta_b.fiscal_year:
        return None
    kinds = {meta_a.report_kind, meta_b.report_kind} - {"unknown"}
    if len(kinds) > 1:
        return None
    unit_score = units_match(meta_a.unit_name, meta_b.unit_name)
    if unit_score is None:
        return None
    year_score = 2 if meta_a.fiscal_year and meta_a.fiscal_year == meta_b.fiscal_year else 0
    return unit_score + year_score


def units_match(a: str, b: str) -> int | None:
    """2: the same unit by key; 1: the longer name adds a prefix (a region, 中共) to the shorter; else None."""
    key_a, key_b = unit_key(a), unit_key(b)
    if key_a == key_b:
        return 2
    short, long_ = sorted((key_a, key_b), key=len)
    if len(short) >= _MIN_KEY and long_.endswith(short):
        return 1
    return None


def _companion_readings(document: InboxDocument, meta: DocumentMetadata) -> list[Candidate]:
    where = f"companion {document.file_name}"
    out = []
    if meta.unit_name:
        out.append(Candidate("unit", meta.unit_name, "companion", None, where))
    if meta.fiscal_year:
        out.append(Candidate("year", str(meta.fiscal_year), "companion", None, where))
    if meta.report_kind != "unknown":
        out.append(Candidate("kind", meta.report_kind, "companion", None, where))
    return out


def _canonical_units(chosen: dict[str, DocumentMetadata], links: list[tuple[str, str]]) -> dict[str, str]:
    """unit key -> the unit's name: keys linked by companions are one unit, named by its longest spelling."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    spellings: dict[str, set[str]] = defaultdict(set)
    for meta in chosen.values():
        if meta.unit_name:
            spellings[unit_key(meta.unit_name)].add(meta.unit_name)
            find(unit_key(meta.unit_name))
    for narrative, tables in links:
        a, b = chosen[narrative].unit_name, chosen[tables].unit_name
        if a and b:
            parent[find(unit_key(a))] = find(unit_key(b))
    members: dict[str, set[str]] = defaultdict(set)
    for key, names in spellings.items():
        members[find(key)] |= names
    name_of_root = {root: max(sorted(names), key=len) for root, names in members.items()}
    return {key: name_of_root[find(key)] for key in spellings}


# ---------------------------------------------------------------- reading and writing the raw layer


def resolve_reports(con) -> dict:
    """Resolve every document of the raw layer and write back what changed; returns counts."""
    documents = _inbox_documents(con)
    manifest = con.execute("select * from manifest_entries").df().to_dict("records")
    resolutions, entries = resolve(documents, manifest)
    now = datetime.now(UTC).replace(tzinfo=None)
    resolved = pd.DataFrame([r.row for r in resolutions.values()], columns=RESOLVED_COLUMNS)  # noqa: F841
    added = pd.DataFrame([  # noqa: F841 (scanned by duckdb)
        candidate_row(h, c, None) for h, r in resolutions.items() for c in r.added], columns=CANDIDATE_COLUMNS)
    # only the document each row names is written back: the row's own problem stays as read, and the mart
    # says when no file matches (so a problem is never appended twice)
    matched = pd.DataFrame([(e["manifest_path"], e["line_no"], e.get("content_hash"))  # noqa: F841
                            for e in entries], columns=["manifest_path", "line_no", "content_hash"])
    changed_facts = " or ".join(f"d.{c} is distinct from r.{c}" for c in _FACT_COLUMNS)
    changed_any = " or ".join(f"d.{c} is distinct from r.{c}" for c in RESOLVED_COLUMNS[1:])
    con.execute("begin transaction")
    try:
        n_changed = con.execute(f"select count(*) from documents d join resolved r using (content_hash) "
                                f"where {changed_facts}").fetchone()[0]
        assignments = ", ".join(f"{c} = r.{c}" for c in RESOLVED_COLUMNS[1:])
        con.execute(f"""
            update documents as d set {assignments},
                parsed_at = case when {changed_facts} then ?::timestamp else d.parsed_at end
            from resolved as r
            where d.content_hash = r.content_hash and ({changed_any})
        """, [now])
        con.execute("delete from metadata_candidates where source in ('manifest', 'companion')")
        con.execute("insert into metadata_candidates by name select * from added")
        con.execute("""
            update manifest_entries as m set content_hash = x.content_hash
            from matched as x
            where m.manifest_path = x.manifest_path and m.line_no = x.line_no
        """)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return {"documents": len(resolutions), "documents_changed": int(n_changed),
            "documents_with_companion": sum(1 for r in resolutions.values() if r.companions)}


def _inbox_documents(con) -> list[InboxDocument]:
    rows = con.execute("""
        select d.content_hash, d.file_name, coalesce(d.read_status, d.status), coalesce(d.read_reason, d.reason),
               d.report_part, list(f.inbox_path order by f.inbox_path)
        from documents d
        left join document_files f using (content_hash)
        group by all
    """).fetchall()
    candidates: dict[str, list[Candidate]] = defaultdict(list)
    for h, name, value, source, line_no, evidence, n in con.execute(
            "select content_hash, field, value, source, line_no, evidence, n_printed from metadata_candidates "
            "where source not in ('manifest', 'companion') order by content_hash, field, source, line_no").fetchall():
        candidates[h].append(Candidate(name, value, source, line_no, evidence or "", int(n or 1)))
    return [InboxDocument(content_hash=h, file_name=name, read_status=status, read_reason=reason, report_part=part,
                          inbox_paths=[p for p in paths if p], candidates=candidates.get(h, []))
            for h, name, status, reason, part, paths in rows]
