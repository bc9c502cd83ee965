"""The raw layer: an embedded DuckDB file holding every inbox file's parse, one row per cell.

Loads are bulk (one DataFrame insert per table per batch) and transactional: a batch of documents
is either entirely in the raw layer or not at all, so a refresh killed mid-parse leaves no half
document behind and the next run simply parses it again. A batch the database rejects for one
document's values is loaded again in halves, so that document alone is quarantined with the reason.

A document whose rows fail a key test downstream (dbt) is *held*: its parse is replaced by a quarantined
document row with the reason, and ``document_holds`` remembers under which parser, models and tests that
was decided; when those change the hold is released and the document parsed again.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pandas as pd

from ingest.faults import crash_point
from ingest.inbox_record import DDL as INBOX_DDL
from ingest.manifest import ENTRY_COLUMNS
from ingest.parse_report import ParseOutcome
from ingest.report_resolution import CANDIDATE_COLUMNS

DDL = """
create table if not exists documents (
    content_hash varchar primary key,
    file_name varchar not null,
    stored_path varchar not null,
    size_bytes bigint not null,
    parser_version varchar not null,
    report_kind varchar,
    unit_name varchar,
    fiscal_year integer,
    status varchar not null,          -- parsed | quarantined (reading, or no unit/year after resolution)
    reason varchar,
    n_tables integer not null,
    n_cells integer not null,
    source_format varchar,             -- text | pdf | docx | xlsx
    n_pages integer,                   -- PDF pages / worksheets
    first_seen_at timestamp not null,
    parsed_at timestamp not null
);
create table if not exists document_files (
    content_hash varchar not null,
    file_name varchar not null,
    inbox_path varchar not null,
    size_bytes bigint not null,
    mtime_ns bigint not null,          -- with path and size: the fingerprint that spares re-hashing
    seen_at timestamp not null,
    primary key (content_hash, inbox_path)
);
create table if not exists report_tables (
    content_hash varchar not null,
    table_code varchar not null,
    title varchar not null,
    printed_number varchar,
    printed_unit varchar not null,
    first_line integer not null,
    last_line integer not null,
    first_page integer,                -- PDF page / worksheet of the title and of the last row
    last_page integer,
    n_cells integer not null,
    n_issues integer not null,
    notes varchar
);
create table if not exists cells (
    content_hash varchar not null,
    file_name varchar not null,
    table_code varchar not null,
    row_label varchar not null,
    row_code varchar,
    row_number integer,
    side varchar,
    column_path varchar not null,
    column_number integer,
    value_text varchar not null,
    amount double not null,
    printed_unit varchar not null,
    amount_wan decimal(20, 6),         -- null for rates (%), counts and scores: only money is scaled
    line_no integer not null,          -- line of the report's rendering (the text file for text reports)
    page_no integer,                   -- PDF page / worksheet; null for text and DOCX
    cell_box varchar,                  -- 'x0,top,x1,bottom' in PDF points of the printed cell
    position integer                   -- 0-based place of the printed cell in its row (null: not tracked)
);
create table if not exists narrative_claims (
    content_hash varchar not null,
    line_no integer not null,
    section_table varchar not null,
    claim_kind varchar not null,       -- amount | share | completion | change | staffing_rate
    target_table varchar,
    target_side varchar,
    target_row varchar,
    target_column varchar,
    stated double,                     -- null for a change printed without its percentage
    numerator double,
    denominator double,
    change double,
    direction varchar,
    prior double,
    text varchar not null
);
create table if not exists narrative_figures (
    content_hash varchar not null,
    file_name varchar not null,
    figure_no integer not null,        -- order of printing in the document
    line_no integer not null,          -- line of the rendering where the number is printed
    page_no integer,                   -- PDF page; null for text and DOCX
    section varchar,                   -- the heading it is printed under
    subject varchar not null,          -- the phrase naming it, as printed
    measure varchar not null,          -- amount | prior | change | threshold | share | change_pct | rate
    value double not null,             -- as printed in printed_unit (signed for changes)
    printed_text varchar not null,
    printed_unit varchar not null,     -- 万元 | 元 | 千元 | 亿元 | %
    amount_wan decimal(20, 6),         -- money in 万元; null for percentages
    reference_year integer,            -- the year quoted for, when the text names another one
    phase_code varchar,                -- approved | adjusted | executed
    class_name varchar,                -- 类 / 款 / 项 names the subject prints
    kuan_name varchar,
    xiang_name varchar,
    text varchar not null              -- the sentence
);
create table if not exists performance_tables (
    content_hash varchar not null,
    file_name varchar not null,
    table_code varchar not null,       -- PERF_DEPT_01, PERF_PROJ_01, PERF_FRAME_01 …
    table_kind varchar not null,       -- department_score | project_score | indicator_framework
    title varchar not null,
    scope_name varchar,                -- the project; null for the whole department
    first_line integer not null,
    last_line integer not null,
    stated_total double,               -- 总分 as printed (or quoted beside the table)
    stated_total_line integer,
    stated_weight_total double,
    n_indicators integer not null,
    recoverable boolean not null,
    reason varchar
);
create table if not exists performance_indicators (
    content_hash varchar not null,
    file_name varchar not null,
    table_code varchar not null,
    position integer not null,         -- order of printing inside the table
    level integer not null,            -- 1 一级, 2 二级, 3 三级
    level1_name varchar,
    level2_name varchar,
    level3_name varchar,
    indicator_name varchar,            -- null where the source prints no name
    weight double,
    weight_text varchar,
    score double,
    score_text varchar,
    description varchar,
    scoring_standard varchar,
    target_text varchar,
    actual_text varchar,
    deviation_reason varchar,
    line_no integer not null,
    page_no integer
);
create table if not exists parse_issues (
    content_hash varchar not null,
    file_name varchar not null,
    table_code varchar,
    line_no integer,
    message varchar not null,
    line_text varchar,
    page_no integer
);
create table if not exists metadata_candidates (
    content_hash varchar not null,
    field varchar not null,            -- unit | year | kind | draft
    value varchar not null,
    source varchar not null,           -- caption | title | table_title | label_cell | cover | file_name | body
                                       -- (read at parse) | manifest | companion (ingest.report_resolution)
    line_no integer,
    page_no integer,
    evidence varchar,                  -- the printed text (or file name, manifest line, companion file)
    n_printed integer not null         -- how often the document prints it
);
create table if not exists manifest_entries (
    manifest_path varchar not null,    -- the manifest.csv (absolute path at reading)
    manifest_hash varchar not null,
    line_no integer not null,
    file varchar not null,             -- as written in the manifest
    target_path varchar,
    unit_name varchar,
    fiscal_year integer,
    report_kind varchar,
    source_url varchar,
    problem varchar,                   -- why the row (or part of it) cannot be used
    read_at timestamp not null,
    content_hash varchar               -- the document it applies to (ingest.report_resolution)
);
create table if not exists document_holds (
    content_hash varchar primary key,
    reason varchar not null,           -- the test that failed on its rows, which rows, what was expected
    held_at timestamp not null,
    inputs_fingerprint varchar not null  -- parser, models and tests it was decided under
);
create table if not exists document_pages (
    content_hash varchar not null,
    page_no integer not null,          -- PDF page / worksheet
    first_line integer not null,       -- lines of the rendering printed on it
    last_line integer not null
);
-- columns added after the first release: an existing warehouse gains them in place
alter table documents add column if not exists source_format varchar;
alter table documents add column if not exists n_pages integer;
alter table report_tables add column if not exists first_page integer;
alter table report_tables add column if not exists last_page integer;
alter table cells add column if not exists page_no integer;
alter table cells add column if not exists cell_box varchar;
alter table cells add column if not exists position integer;
alter table performance_indicators add column if not exists page_no integer;
alter table parse_issues add column if not exists page_no integer;
alter table documents add column if not exists read_status varchar;
alter table documents add column if not exists read_reason varchar;
alter table documents add column if not exists unit_source varchar;
alter table documents add column if not exists year_source varchar;
alter table documents add column if not exists kind_source varchar;
alter table documents add column if not exists is_draft boolean;
alter table documents add column if not exists draft_source varchar;
alter table documents add column if not exists metadata_conflicts varchar;
alter table documents add column if not exists report_part varchar;
alter table documents add column if not exists report_id varchar;
alter table documents add column if not exists report_unit_name varchar;
alter table documents add column if not exists source_url varchar;
"""

CELL_COLUMNS = ["content_hash", "file_name", "table_code", "row_label", "row_code", "row_number", "side",
                "column_path", "column_number", "value_text", "amount", "printed_unit", "amount_wan", "line_no",
                "page_no", "cell_box", "position"]
TABLE_COLUMNS = ["content_hash", "table_code", "title", "printed_number", "printed_unit", "first_line",
                 "last_line", "first_page", "last_page", "n_cells", "n_issues", "notes"]
CLAIM_COLUMNS = ["content_hash", "line_no", "section_table", "claim_kind", "target_table", "target_side",
                 "target_row", "target_column", "stated", "numerator", "denominator", "change", "direction", "prior",
                 "text"]
FIGURE_COLUMNS = ["content_hash", "file_name", "figure_no", "line_no", "page_no", "section", "subject", "measure",
                  "value", "printed_text", "printed_unit", "amount_wan", "reference_year", "phase_code", "class_name",
                  "kuan_name", "xiang_name", "text"]
PERFORMANCE_TABLE_COLUMNS = ["content_hash", "file_name", "table_code", "table_kind", "title", "scope_name",
                             "first_line", "last_line", "stated_total", "stated_total_line", "stated_weight_total",
                             "n_indicators", "recoverable", "reason"]
INDICATOR_COLUMNS = ["content_hash", "file_name", "table_code", "position", "level", "level1_name", "level2_name",
                     "level3_name", "indicator_name", "weight", "weight_text", "score", "score_text", "description",
                     "scoring_standard", "target_text", "actual_text", "deviation_reason", "line_no", "page_no"]
ISSUE_COLUMNS = ["content_hash", "file_name", "table_code", "line_no", "message", "line_text", "page_no"]
PAGE_COLUMNS = ["content_hash", "page_no", "first_line", "last_line"]
SIGHTING_COLUMNS = ["content_hash", "file_name", "inbox_path", "size_bytes", "mtime_ns", "seen_at"]
DOCUMENT_COLUMNS = ["content_hash", "file_name", "stored_path", "size_bytes", "parser_version", "report_kind",
                    "unit_name", "fiscal_year", "status", "reason", "n_tables", "n_cells", "source_format", "n_pages",
                    "read_status", "read_reason", "unit_source", "year_source", "kind_source", "is_draft",
                    "draft_source", "metadata_conflicts", "report_part"]


def connect(path: str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(path, read_only=read_only)
    if not read_only:
        con.execute(DDL + INBOX_DDL)
    return con


def record_file_names(con: duckdb.DuckDBPyConnection, sightings: list[dict]) -> None:
    if not sightings:
        return
    frame = pd.DataFrame(sightings, columns=SIGHTING_COLUMNS)  # noqa: F841 (scanned by duckdb)
    con.execute("insert or ignore into document_files by name select * from frame")


def record_manifest(con: duckdb.DuckDBPyConnection, manifest_path: str, entries: list[dict]) -> None:
    """Replace what the raw layer holds of one manifest with the rows just read from it."""
    frame = pd.DataFrame(entries, columns=ENTRY_COLUMNS)  # noqa: F841 (scanned by duckdb)
    con.execute("begin transaction")
    try:
        con.execute("delete from manifest_entries where manifest_path = ?", [manifest_path])
        con.execute("insert into manifest_entries by name select * from frame")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def known_fingerprints(con: duckdb.DuckDBPyConnection) -> set[tuple[str, int, int]]:
    """(inbox path, size, mtime_ns) of every file already hashed: unchanged files are not read again."""
    return set(con.execute("select inbox_path, size_bytes, mtime_ns from document_files").fetchall())


# what a database rejects for the values of one document (not a full disk or a lost lock: those stop the run)
REJECTED_VALUES = (duckdb.DataError, duckdb.IntegrityError, ValueError, TypeError, OverflowError)
DERIVED_TABLES = ("cells", "report_tables", "parse_issues", "narrative_claims", "narrative_figures",
                  "performance_tables", "performance_indicators", "document_pages")


def load_outcomes(con: duckdb.DuckDBPyConnection, outcomes: list[ParseOutcome]) -> None:
    """Replace the parse of these documents in one transaction, with one bulk insert per table; a batch
    rejected for one document's values is loaded in halves, and that document alone quarantined."""
    try:
        _load_batch(con, outcomes)
    except REJECTED_VALUES as exc:
        if len(outcomes) > 1:
            middle = len(outcomes) // 2
            load_outcomes(con, outcomes[:middle])
            load_outcomes(con, outcomes[middle:])
            return
        document = outcomes[0].document
        reason = (f"{document['file_name']}: the raw layer rejected its parse ({type(exc).__name__}: "
                  f"{str(exc).splitlines()[0]}); expected values of the raw layer's column types, nothing was stored")
        _load_batch(con, [ParseOutcome(document={**document, "status": "quarantined", "reason": reason,
                                                 "read_status": "quarantined", "read_reason": reason,
                                                 "n_tables": 0, "n_cells": 0})])


def _load_batch(con: duckdb.DuckDBPyConnection, outcomes: list[ParseOutcome]) -> None:
    if not outcomes:
        return
    now = datetime.now(UTC).replace(tzinfo=None)
    documents = pd.DataFrame([o.document for o in outcomes], columns=DOCUMENT_COLUMNS)
    cells = _frame([c for o in outcomes for c in o.cells], CELL_COLUMNS)
    tables = _frame([t for o in outcomes for t in o.tables], TABLE_COLUMNS)
    issues = _frame([i for o in outcomes for i in o.issues], ISSUE_COLUMNS)
    claims = _frame([c for o in outcomes for c in o.claims], CLAIM_COLUMNS)
    figures = _frame([f for o in outcomes for f in o.figures], FIGURE_COLUMNS)
    performance_tables = _frame([t for o in outcomes for t in o.performance_tables], PERFORMANCE_TABLE_COLUMNS)
    indicators = _frame([i for o in outcomes for i in o.indicators], INDICATOR_COLUMNS)
    pages = _frame([p for o in outcomes for p in o.pages], PAGE_COLUMNS)
    candidates = _frame([c for o in outcomes for c in o.metadata_candidates], CANDIDATE_COLUMNS)
    hashes = pd.DataFrame({"content_hash": documents["content_hash"]})  # noqa: F841 (scanned by duckdb)
    con.execute("begin transaction")
    try:
        first_seen = dict(con.execute(
            "select content_hash, min(seen_at) from document_files join hashes using (content_hash) group by 1"
        ).fetchall())
        documents["first_seen_at"] = [first_seen.get(h, now) for h in documents["content_hash"]]
        documents["parsed_at"] = now
        for table in (*DERIVED_TABLES, "metadata_candidates", "documents"):
            con.execute(f"delete from {table} where content_hash in (select content_hash from hashes)")
        for name, frame in (("documents", documents), ("report_tables", tables), ("cells", cells),
                            ("parse_issues", issues), ("narrative_claims", claims), ("narrative_figures", figures),
                            ("performance_tables", performance_tables), ("performance_indicators", indicators),
                            ("document_pages", pages), ("metadata_candidates", candidates)):
            con.register(f"incoming_{name}", frame)
            con.execute(f"insert into {name} by name select * from incoming_{name}")
            con.unregister(f"incoming_{name}")
            crash_point("parse.in_transaction")
        con.execute("commit")
        crash_point("parse.after_commit")
    except BaseException:
        con.execute("rollback")
        raise


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


def hold_documents(con: duckdb.DuckDBPyConnection, reasons: dict[str, str], fingerprint: str) -> None:
    """Quarantine these documents (content hash -> reason) in place of their parse, in one transaction."""
    if not reasons:
        return
    now = datetime.now(UTC).replace(tzinfo=None)
    held = pd.DataFrame({"content_hash": list(reasons), "reason": list(reasons.values())})  # noqa: F841
    con.execute("begin transaction")
    try:
        for table in DERIVED_TABLES:
            con.execute(f"delete from {table} where content_hash in (select content_hash from held)")
        # a new parsed_at: the incremental models and the audit see the document change; the hold stands
        # for its reading too, so the metadata resolution keeps it quarantined (its readings stay: a held
        # table file still gives its companion a year)
        con.execute("""
            update documents set status = 'quarantined', reason = held.reason, n_tables = 0, n_cells = 0,
                read_status = 'quarantined', read_reason = held.reason, parsed_at = ?
            from held where documents.content_hash = held.content_hash
        """, [now])
        con.execute("insert or replace into document_holds select content_hash, reason, ?, ? from held",
                    [now, fingerprint])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def release_holds(con: duckdb.DuckDBPyConnection, fingerprint: str) -> list[str]:
    """Forget the holds decided under other parser, models or tests: their documents are parsed again.
    Returns the file names released."""
    released = con.execute("""
        select d.file_name from document_holds h join documents d using (content_hash)
        where h.inputs_fingerprint <> ? order by 1
    """, [fingerprint]).fetchall()
    con.execute("begin transaction")
    try:
        stale = "(select content_hash from document_holds where inputs_fingerprint <> ?)"
        con.execute(f"delete from documents where content_hash in {stale}", [fingerprint])
        con.execute("delete from document_holds where inputs_fingerprint <> ?", [fingerprint])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return [name for (name,) in released]
