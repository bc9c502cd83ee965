"""Where a warehouse keeps its files. One home directory holds everything:

    raw.duckdb            raw layer (documents, cells, parse issues, finding history)
    store/                immutable content-addressed copies of every inbox file
    build/build.duckdb    staging database dbt builds into (write-audit-publish)
    releases/<id>.duckdb  every published version, kept for rollback
    marts.duckdb          the published marts analysts query (a hard link to the current release)
    data_docs/            Great Expectations Data Docs of the integrity suites (index.html; runs/<refresh>/<rule>.html)
    dagster_home/         the Dagster instance `fiscal refresh` records its runs in ($FISCAL_DAGSTER_HOME
                          overrides; point `dagster dev` / the daemon at it with DAGSTER_HOME)
    logs/                 one log per `fiscal refresh` (the newest $FISCAL_KEEP_LOGS, default 30)
    last_refresh.json     what the last refresh did (read by `fiscal status`)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ingest.postgres import POSTGRES, PostgresTarget, target_name

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HOME = Path("warehouse")
DEFAULT_INBOX = REPO_ROOT / "samples" / "inbox"


def resolve_home(explicit: str | Path | None = None) -> Path:
    return Path(explicit or os.environ.get("FISCAL_HOME") or DEFAULT_HOME).resolve()


def resolve_inbox(explicit: str | Path | None = None) -> Path:
    return Path(explicit or os.environ.get("FISCAL_INBOX") or DEFAULT_INBOX).resolve()


@dataclass(frozen=True)
class WarehousePaths:
    home: Path

    @property
    def raw_db(self) -> Path:
        return self.home / "raw.duckdb"

    @property
    def store(self) -> Path:
        return self.home / "store"

    @property
    def build_db(self) -> Path:
        return self.home / "build" / "build.duckdb"

    @property
    def releases(self) -> Path:
        return self.home / "releases"

    @property
    def marts_db(self) -> Path:
        return self.home / "marts.duckdb"

    @property
    def data_docs(self) -> Path:
        return self.home / "data_docs"

    @property
    def dagster_home(self) -> Path:
        return Path(os.environ.get("FISCAL_DAGSTER_HOME") or self.home / "dagster_home").resolve()

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def last_refresh(self) -> Path:
        return self.home / "last_refresh.json"

    @property
    def server(self) -> PostgresTarget | None:
        """The PostgreSQL server when FISCAL_TARGET=postgres (raw layer copy, build, published marts)."""
        return PostgresTarget.from_env() if target_name() == POSTGRES else None

    @property
    def build(self) -> Path | PostgresTarget:
        """Where dbt builds and the audit writes: build.duckdb, or the server."""
        return self.server or self.build_db

    @property
    def build_marts_schema(self) -> str:
        """The schema dbt builds the marts into (published from there)."""
        return "marts_next" if self.server else "marts"

    @property
    def published(self) -> Path | PostgresTarget:
        """What analysts read: marts.duckdb, or the server's schema marts (read-only)."""
        return self.server.in_schema("marts", read_only=True) if self.server else self.marts_db

    def has_published(self) -> bool:
        if not self.server:
            return self.marts_db.exists()
        with self.server.connect() as pg:
            return pg.execute("select 1 from pg_namespace where nspname = 'marts'").fetchone() is not None

    def ensure(self) -> WarehousePaths:
        for directory in (self.home, self.store, self.build_db.parent, self.releases):
            directory.mkdir(parents=True, exist_ok=True)
        return self

    def export_for_dbt(self) -> None:
        """dbt's profile reads these (dbt_project/profiles.yml)."""
        os.environ["FISCAL_BUILD_DB"] = str(self.build_db)
        os.environ["FISCAL_RAW_DB"] = str(self.raw_db)
        if self.server:
            self.server.export_for_dbt()
