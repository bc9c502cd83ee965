"""What the audit remembers between refreshes, so a refresh audits only what changed.

Every rule reads one document at a time, so a document's findings change only when its parse changes
(``parsed_at``) or when the rules or the models they read change (the audit fingerprint). The ledger
keeps each audited document's findings before waivers (waivers are reviewed often and are applied to
the whole ledger on every refresh); ``stale_documents`` names the documents to audit again.

Tables, in the build database's ``audit`` schema (written by the gate, read by no one else):

    document_audit   one row per audited document: parse it saw, fingerprint, comparisons made
    finding_ledger   the findings of those documents (FINDING_COLUMNS of expectations.suite), each with its
                     origin (source | reader), what it holds back (row | table | document) and when it was
                     first seen
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from expectations.build_database import Build, BuildDatabase
from ingest.fingerprint import files_fingerprint

REPO_ROOT = Path(__file__).resolve().parent.parent
LEDGER_DDL = """
create schema if not exists audit;
create table if not exists audit.document_audit (
    document_id varchar primary key,
    parsed_at timestamp not null,
    fingerprint varchar not null,
    n_checks integer not null,
    audited_at timestamp not null
);
create table if not exists audit.finding_ledger (
    finding_id varchar,
    document_id varchar not null,
    table_code varchar,
    side varchar,
    row_code varchar,
    row_label varchar,
    column_path varchar,
    line_no integer,
    rule_id varchar not null,
    rule_name varchar,
    expected double precision,
    actual double precision,
    difference double precision,
    tolerance double precision,
    n_addends integer,
    addends varchar,
    severity varchar not null,
    message varchar,
    data_docs_page varchar,
    origin varchar,                 -- source | reader (expectations/origin.py)
    scope varchar,                  -- what an unwaived error holds back: row | table | document
    first_seen_at timestamp         -- when the finding (its id) was first seen, in any audit
);
alter table audit.finding_ledger add column if not exists origin varchar;
alter table audit.finding_ledger add column if not exists scope varchar;
alter table audit.finding_ledger add column if not exists first_seen_at timestamp;
"""
LEDGER_COLUMNS = ("finding_id, document_id, table_code, side, row_code, row_label, column_path, "
                  "line_no::integer as line_no, rule_id, rule_name, expected::double precision as expected, "
                  "actual::double precision as actual, difference::double precision as difference, "
                  "tolerance::double precision as tolerance, "
                  "n_addends::integer as n_addends, addends, severity, message, "
                  "data_docs_page::varchar as data_docs_page, origin::varchar as origin, scope::varchar as scope, "
                  "first_seen_at::timestamp as first_seen_at")
LEDGER_NAMES = ", ".join(column.split(" as ")[-1].split("::")[0].strip() for column in LEDGER_COLUMNS.split(", "))
# what the dbt models' rows are computed by (with the parser version): a change rebuilds incremental models
DBT_BUILD_INPUTS = ("dbt_project/dbt_project.yml", "dbt_project/models/**/*.sql", "dbt_project/macros/*.sql",
                    "dbt_project/seeds/*.csv")
# what a document's findings are computed by: the rules, their catalog, the dbt models they read, the parser
FINGERPRINTED = ("expectations/*.py", "expectations/catalog.yml", *DBT_BUILD_INPUTS)


def audit_fingerprint(root: Path = REPO_ROOT) -> str:
    return files_fingerprint(FINGERPRINTED, root)


def ensure_ledger(build_db: Build) -> None:
    with BuildDatabase(build_db) as build:
        for statement in filter(str.strip, LEDGER_DDL.split(";")):
            build.execute(statement)


def stale_documents(build: BuildDatabase, fingerprint: str) -> list[str]:
    """Documents never audited, re-parsed since their audit, or audited by other rules or models."""
    return [row[0] for row in build.rows("""
        select documents.document_id
        from staging.stg_raw__documents as documents
        left join audit.document_audit as audited
            on documents.document_id = audited.document_id
            and documents.parsed_at = audited.parsed_at
            and audited.fingerprint = ?
        where audited.document_id is null
        order by 1
    """, [fingerprint])]


def record_audit(build: BuildDatabase, fingerprint: str, audited: pd.DataFrame,
                 findings: pd.DataFrame, documents: pd.DataFrame) -> None:
    """Replace the ledger rows of the documents just audited (``audited``: document_id, n_checks) and
    forget documents no longer in the warehouse (``documents``: document_id, parsed_at of every one).
    Runs inside the caller's transaction."""
    now = datetime.now(UTC).replace(tzinfo=None)
    build.register("audited_now", audited)
    build.register("findings_now", findings)
    build.register("documents_now", documents[["document_id", "parsed_at"]])
    try:
        gone = ("(select document_id from audit.document_audit "
                "where document_id not in (select document_id from documents_now))")
        build.execute(f"delete from audit.finding_ledger where document_id in {gone}")
        build.execute(f"delete from audit.document_audit where document_id in {gone}")
        build.execute("delete from audit.finding_ledger where document_id in (select document_id from audited_now)")
        build.execute("delete from audit.document_audit where document_id in (select document_id from audited_now)")
        build.execute(f"insert into audit.finding_ledger ({LEDGER_NAMES}) select {LEDGER_COLUMNS} from findings_now")
        build.execute("""
            insert into audit.document_audit
            select audited_now.document_id, documents.parsed_at, ?, audited_now.n_checks::integer, ?
            from audited_now
            inner join documents_now as documents using (document_id)
        """, [fingerprint, now])
    finally:
        for name in ("audited_now", "findings_now", "documents_now"):
            build.unregister(name)


def checks_made(build: BuildDatabase) -> int:
    """The number of comparisons the remembered findings came from."""
    return int(build.rows("select coalesce(sum(n_checks), 0) from audit.document_audit")[0][0])
