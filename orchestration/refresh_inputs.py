"""Whether anything a refresh reads changed since the last successful one: if not, `fiscal refresh` says
"Nothing new" in about a second, without starting Dagster, dbt or the suites.

A refresh's result is a function of its inputs: the inbox (every entry the scan sees, with its size and
modification time: no file is opened), the waivers, the code that parses, builds and audits (parser
version, dbt project, rules, orchestration, and the versions of the libraries that read, build and check),
the FISCAL_* settings (limits, target) and the year (what counts as an implausible future year). And the
home must be as the last successful refresh left it: the marts at the same release (a rollback changes
that), the raw layer with the same files, parses, holds and withdrawals (a failed refresh, a Dagster daemon
run or `fiscal withdraw` change them). The inputs' hash and that state are kept after each successful
refresh (``<home>/refresh_inputs.json``); `fiscal withdraw` / `restore` forget them, so the next refresh
runs. ``fiscal refresh --force`` always runs the job.

The release fingerprint (orchestration/release_fingerprint.py) still decides, inside the job, that a build
equal to the current release is not published when some input changed but the marts did not.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import duckdb

from ingest.fingerprint import files_fingerprint
from ingest.inbox_scan import scan_inbox
from orchestration.publish import current_release
from orchestration.warehouse import REPO_ROOT, WarehousePaths

# the code that parses, builds, audits and publishes (dbt's target/ folders are outputs, not code)
CODE = ("ingest/**/*.py", "expectations/**/*.py", "expectations/*.yml", "orchestration/**/*.py",
        "orchestration/**/*.yaml", "dbt_project/*.yml", "dbt_project/models/**/*.sql", "dbt_project/models/**/*.yml",
        "dbt_project/macros/*.sql", "dbt_project/seeds/*.csv", "dbt_project/tests/*.sql")
# settings that do not change what a refresh reads or writes
IGNORED_SETTINGS = {"FISCAL_HOME"}
# the libraries whose version can change what a refresh reads, builds or checks
PACKAGES = ("dbt-core", "dbt-duckdb", "dbt-postgres", "duckdb", "dagster", "dagster-dbt", "great-expectations",
            "pdfplumber", "pdfminer.six", "pypdfium2", "openpyxl", "python-docx", "pandas")
# raw-layer tables and what of them changes when a refresh, a daemon run or a maintainer acts on the home
RAW_STATE = {"document_files": "max(seen_at)", "documents": "max(parsed_at)", "document_holds": "count(*)",
             "document_withdrawals": "count(*)"}


def inputs_fingerprint(paths: WarehousePaths, inbox: Path, waivers: Path | None) -> str:
    digest = hashlib.sha256()
    digest.update(f"code {files_fingerprint(CODE)}\nyear {datetime.now(UTC).year}\n".encode())
    digest.update(f"home {os.path.realpath(paths.home)}\ninbox {os.path.realpath(inbox)}\n".encode())
    for entry in scan_inbox(inbox):
        digest.update(repr((entry.entry_path, entry.kind, entry.action, entry.reason, entry.size_bytes,
                            entry.mtime_ns, entry.resolved)).encode())
    waivers_file = waivers or REPO_ROOT / "expectations" / "waivers.yml"  # expectations.waivers' default
    digest.update(waivers_file.read_bytes() if waivers_file.exists() else b"no waivers")
    for name in sorted(os.environ):
        if name.startswith("FISCAL_") and name not in IGNORED_SETTINGS:
            digest.update(f"{name}={os.environ[name]}\n".encode())
    for package in PACKAGES:
        try:
            digest.update(f"{package} {metadata.version(package)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package} absent\n".encode())
    return digest.hexdigest()


def warehouse_state(paths: WarehousePaths) -> dict:
    """What the home holds that a refresh reads besides its inputs: the release the marts point at, and the raw
    layer's files, parses, holds and withdrawals (a failed refresh, a daemon run or `fiscal withdraw` change
    them). Compared as it was when the last successful refresh ended."""
    state: dict = {"release_id": published_release(paths)}
    if not paths.raw_db.exists():
        return state
    try:
        with duckdb.connect(str(paths.raw_db), read_only=True) as raw:
            for table, columns in RAW_STATE.items():
                try:
                    row = raw.execute(f"select count(*), {columns} from {table}").fetchone()
                except duckdb.CatalogException:  # an older home without the table
                    row = None
                state[table] = [str(value) for value in row] if row else None
    except duckdb.Error as exc:  # locked by another process (not a refresh: the home lock is held)
        state["raw"] = f"unreadable: {type(exc).__name__}"
    return state


def published_release(paths: WarehousePaths) -> str | None:
    """The release the published marts hold: the DuckDB release file, or the server's marts schema."""
    if paths.server is None:
        return current_release(paths)
    try:
        with paths.server.connect(autocommit=True) as pg:
            return pg.execute("select max(release_id) from marts.publish_history").fetchone()[0]
    except Exception:  # noqa: BLE001 (no server, no marts yet: the job runs and says what is wrong)
        return None


def _record(paths: WarehousePaths) -> Path:
    return paths.home / "refresh_inputs.json"


def unchanged_since_last_refresh(paths: WarehousePaths, fingerprint: str) -> dict | None:
    """The last successful refresh's record when its inputs hash equals ``fingerprint`` and the home is as
    that refresh left it (the same release, not rolled back; the same raw layer), else None."""
    try:
        record = json.loads(_record(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("fingerprint") != fingerprint:
        return None
    state = warehouse_state(paths)
    if state.get("release_id") is None or record.get("state") != state:
        return None
    return {**record, "release_id": state["release_id"]}


def remember_inputs(paths: WarehousePaths, fingerprint: str, finished_at: str) -> None:
    """After a successful refresh: its inputs (hashed before it ran) and the state it left the home in."""
    record = {"fingerprint": fingerprint, "state": warehouse_state(paths), "finished_at": finished_at}
    staging = _record(paths).with_suffix(".partial")
    staging.write_text(json.dumps(record), encoding="utf-8")
    os.replace(staging, _record(paths))


def forget_inputs(paths: WarehousePaths) -> None:
    """The next refresh runs whatever its inputs (a maintainer changed something the hash does not see)."""
    _record(paths).unlink(missing_ok=True)
