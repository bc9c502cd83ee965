"""Alerts to maintainers: one digest per refresh that changed something, on every configured channel.

Channels: an append-only JSONL log (always on, ``<home>/alerts.jsonl``), email over SMTP and a
generic JSON webhook (Slack, 企业微信 and 钉钉 incoming webhooks take the ``slack``/``wecom``/
``dingtalk`` formats). Configuration comes from environment variables, or a YAML file named by
``FISCAL_ALERTS_FILE`` with the same keys in lower case without the prefix:

    FISCAL_ALERT_WEBHOOK_URL, FISCAL_ALERT_WEBHOOK_FORMAT (generic | slack | wecom | dingtalk)
    FISCAL_SMTP_HOST, FISCAL_SMTP_PORT, FISCAL_SMTP_FROM, FISCAL_SMTP_TO (comma-separated),
    FISCAL_SMTP_USER, FISCAL_SMTP_PASSWORD, FISCAL_SMTP_STARTTLS (true/false)

Problems are remembered in ``alert_state`` (raw.duckdb): a finding, quarantined table or
quarantined document is announced once when it appears and once when it is resolved; an
unchanged problem is not announced again the next night. What the reader could not read in a
document (rows, tables, checks involving them: findings of origin ``reader``) is one problem per
document ("could not read …"), never one per row, and never counted as the unit's inconsistency.
"""

from __future__ import annotations

import json
import os
import smtplib
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from expectations.build_database import BuildDatabase
from ingest.postgres import PostgresTarget
from orchestration.warehouse import WarehousePaths

STATE_DDL = """
create table if not exists alert_state (
    subject_id varchar primary key,   -- finding id, table:<doc>:<table>, document:<doc>, unreadable:<doc>,
                                      -- stale:<release>
    kind varchar not null,
    summary varchar not null,
    first_alerted_at timestamp not null,
    resolved_at timestamp
)
"""
FRESHNESS_LIMIT = timedelta(hours=26)


@dataclass(frozen=True)
class AlertConfig:
    jsonl_path: Path
    webhook_url: str | None = None
    webhook_format: str = "generic"
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "fiscal@localhost"
    smtp_to: tuple[str, ...] = ()
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False

    @classmethod
    def load(cls, paths: WarehousePaths) -> AlertConfig:
        values = {}
        config_file = os.environ.get("FISCAL_ALERTS_FILE")
        if config_file:
            values.update(yaml.safe_load(Path(config_file).read_text(encoding="utf-8")) or {})
        for key in ("alert_webhook_url", "alert_webhook_format", "smtp_host", "smtp_port", "smtp_from", "smtp_to",
                    "smtp_user", "smtp_password", "smtp_starttls"):
            env = os.environ.get(f"FISCAL_{key.upper()}")
            if env is not None:
                values[key] = env
        recipients = values.get("smtp_to") or ()
        if isinstance(recipients, str):
            recipients = tuple(r.strip() for r in recipients.split(",") if r.strip())
        return cls(
            jsonl_path=Path(values.get("jsonl_path") or paths.home / "alerts.jsonl"),
            webhook_url=values.get("alert_webhook_url") or None,
            webhook_format=values.get("alert_webhook_format") or "generic",
            smtp_host=values.get("smtp_host") or None,
            smtp_port=int(values.get("smtp_port") or 25),
            smtp_from=values.get("smtp_from") or "fiscal@localhost",
            smtp_to=tuple(recipients),
            smtp_user=values.get("smtp_user") or None,
            smtp_password=values.get("smtp_password") or None,
            smtp_starttls=str(values.get("smtp_starttls", "false")).lower() in {"1", "true", "yes"},
        )


@dataclass
class Alert:
    kind: str  # findings | refresh_failed | stale
    title: str
    items: list[dict] = field(default_factory=list)
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())

    def text(self) -> str:
        lines = [self.title]
        for item in self.items:
            lines.append(f"- [{item.get('status', 'new')}] {item.get('summary', '')}")
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "title": self.title, "created_at": self.created_at, "items": self.items,
                "text": self.text()}


def deliver(alert: Alert, config: AlertConfig) -> list[str]:
    """Send on every configured channel; returns delivery errors (also written to the JSONL log)."""
    errors = []
    if config.webhook_url:
        try:
            _post_webhook(alert, config)
        except Exception as exc:  # one broken channel must not silence the others
            errors.append(f"webhook {config.webhook_url}: {type(exc).__name__}: {exc}")
    if config.smtp_host and config.smtp_to:
        try:
            _send_email(alert, config)
        except Exception as exc:
            errors.append(f"smtp {config.smtp_host}:{config.smtp_port}: {type(exc).__name__}: {exc}")
    config.jsonl_path.parent.mkdir(parents=True, exist_ok=True)
    with open(config.jsonl_path, "a", encoding="utf-8") as log:
        log.write(json.dumps({**alert.as_dict(), "delivery_errors": errors}, ensure_ascii=False, default=str) + "\n")
    return errors


def _post_webhook(alert: Alert, config: AlertConfig) -> None:
    if config.webhook_format == "slack":
        payload = {"text": alert.text()}
    elif config.webhook_format in {"wecom", "dingtalk"}:
        payload = {"msgtype": "text", "text": {"content": alert.text()}}
    else:
        payload = alert.as_dict()
    request = urllib.request.Request(
        config.webhook_url, data=json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def _send_email(alert: Alert, config: AlertConfig) -> None:
    message = EmailMessage()
    message["Subject"] = f"[fiscal] {alert.title}"
    message["From"] = config.smtp_from
    message["To"] = ", ".join(config.smtp_to)
    message.set_content(alert.text())
    with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=10) as smtp:
        if config.smtp_starttls:
            smtp.starttls()
        if config.smtp_user:
            smtp.login(config.smtp_user, config.smtp_password or "")
        smtp.send_message(message)


def current_problems(marts_db: Path | PostgresTarget) -> pd.DataFrame:
    """What maintainers must hear about in the published marts: the documents' own inconsistencies (error/
    warning findings of origin source, not waived) and the tables they hold back, of current report
    versions; what could not be read, once per document (reader findings and the rows and tables they hold
    back); unreadable documents; and newer versions kept out because they read worse. Each has a stable
    subject id and details (``described`` adds a summary). A superseded version's problems stay in dq_finding
    but are resolved for alerting: they no longer reach the facts."""
    with BuildDatabase(marts_db, read_only=True) as con:
        problems = con.df(_rounded(con, """
            select finding_id as subject_id, 'finding_' || severity as kind, unit_name, fiscal_year, file_name,
                   document_id, table_code, coalesce(row_code, row_label) as row, column_path, rule_id,
                   round(expected, 2) as expected, round(actual, 2) as actual, finding_id, data_docs_page
            from dq_finding
            where severity in ('error', 'warning') and not waived and origin = 'source'
                and document_id in (select document_id from dim_document where is_current_version)
            union all
            select 'table:' || t.document_id || ':' || t.table_code, 'table_quarantined', d.unit_name,
                   d.fiscal_year, d.file_name, t.document_id, t.table_code, null, null, t.quarantine_rules,
                   null, null, null, null
            from dim_report_table t join dim_document d using (document_id)
            where t.publication_status = 'quarantined' and t.quarantine_origin = 'source' and d.is_current_version
            union all
            select 'document:' || document_id, 'document_quarantined', unit_name, fiscal_year, file_name,
                   document_id, null, null, null, parse_reason, null, null, null, null
            from dim_document where parse_status = 'quarantined'
            union all
            -- a newer version kept out because it reads worse than the current one (int_report_versions)
            select 'version:' || v.document_id, 'version_held', v.unit_name, v.fiscal_year, v.file_names,
                   v.document_id, null, null, null, v.reads_worse_reason, null, null, null, null
            from report_version v
            where v.is_kept_out
        """))
        unreadable = con.df("""
            with reader as (
                select document_id, table_code, line_no, rule_id
                from dq_finding
                where severity in ('error', 'warning') and not waived and origin = 'reader'
                    and document_id in (select document_id from dim_document where is_current_version)
            ),

            per_document as (
                select
                    document_id,
                    count(*) filter (where rule_id = 'unreadable_row') as n_rows,
                    count(*) filter (where rule_id not in ('unreadable_row', 'audit_failed')) as n_checks,
                    bool_or(rule_id = 'audit_failed') as audit_failed,
                    string_agg(distinct table_code, ', ' order by table_code) as tables,
                    string_agg(distinct rule_id, ',' order by rule_id) as rules
                from reader
                group by 1
            ),

            held as (
                select
                    document_id,
                    string_agg(table_code, ', ' order by table_code) filter (where publication_status = 'quarantined')
                        as tables_held,
                    sum(n_rows_held) as rows_held
                from dim_report_table
                where quarantine_origin = 'reader' or n_rows_held > 0
                group by 1
            )

            select 'unreadable:' || p.document_id as subject_id, 'could_not_read' as kind, d.unit_name,
                   d.fiscal_year, d.file_name, p.document_id, p.tables as table_code, null as row,
                   null as column_path, p.rules as rule_id, null as expected, null as actual, null as finding_id,
                   null as data_docs_page, p.n_rows, p.n_checks, p.audit_failed, h.tables_held, h.rows_held
            from per_document p
            join dim_document d using (document_id)
            left join held h using (document_id)
            order by d.file_name
        """)
    return pd.concat([problems, unreadable], ignore_index=True)


def described(problems: pd.DataFrame) -> pd.DataFrame:
    """``problems`` (some rows of ``current_problems``) with where to look and a one-line summary each: made in
    Python row by row, so only for the problems someone is told of (a refresh at 10,000 reports has ~30,000)."""
    problems = problems.astype(object).where(problems.notna(), None)
    problems["where_to_look"] = [_where_to_look(row) for row in problems.itertuples()]
    problems["summary"] = [_summary(row) for row in problems.itertuples()]
    return problems


def _rounded(con: BuildDatabase, query: str) -> str:
    """round(double, n) is DuckDB's; PostgreSQL rounds numerics."""
    if not con.server:
        return query
    return query.replace("round(expected, 2)", "round(expected::numeric, 2)::double precision").replace(
        "round(actual, 2)", "round(actual::numeric, 2)::double precision")


def _where_to_look(row) -> str:
    if row.kind == "could_not_read":
        return (f"fiscal query \"select table_code, line_no, page_no, message from dq_finding "
                f"where document_id = '{row.document_id}' and origin = 'reader' order by line_no\"")
    if row.kind == "version_held":
        return (f"fiscal query \"select file_names, is_current, reads_worse_reason from report_version "
                f"where report_id = (select report_id from report_version where document_id = '{row.document_id}')\"")
    if isinstance(row.finding_id, str):
        return f"fiscal query \"select * from dq_finding where finding_id = '{row.finding_id}'\""
    return f"fiscal query \"select * from dim_report_table where document_id = '{row.document_id}'\""


def _summary(row) -> str:
    where = f"{row.unit_name or '?'} {row.fiscal_year or '?'} {row.file_name}"
    if row.kind.startswith("finding_"):
        page = row.data_docs_page if isinstance(row.data_docs_page, str) else ""
        docs = f" | Data Docs {page}" if page else ""
        return (f"{row.kind[8:]}: {where} | {row.table_code} row {row.row} [{row.column_path}] | rule {row.rule_id} | "
                f"expected {row.expected} actual {row.actual} | finding {row.finding_id}{docs}")
    if row.kind == "table_quarantined":
        return f"table quarantined: {where} | {row.table_code} | rules {row.rule_id}"
    if row.kind == "version_held":
        return (f"newer version not published: {where} | {row.rule_id} | the current version stays published; "
                f"waive its finding or `fiscal withdraw` the current version to publish it")
    if row.kind == "could_not_read":
        what = ([f"{int(row.n_rows)} row(s) in {row.table_code}"] if row.n_rows else []) + (
            ["the audit could not run"] if row.audit_failed else []) + (
            [f"{int(row.n_checks)} check(s) involving them"] if row.n_checks else [])
        held = ", ".join(part for part in (
            f"tables {row.tables_held}" if row.tables_held else "",
            f"{int(row.rows_held)} row(s)" if row.rows_held else "") if part) or "nothing"
        return f"could not read: {where} | {'; '.join(what)} | held back: {held} (reader problems, not the source's)"
    return f"document quarantined: {where} | {row.rule_id}"


def announce_changes(paths: WarehousePaths, config: AlertConfig | None = None) -> Alert | None:
    """Compare the published problems with what was announced; send one digest if anything changed."""
    config = config or AlertConfig.load(paths)
    problems = current_problems(paths.published)
    now = datetime.now(UTC).replace(tzinfo=None)
    with duckdb.connect(str(paths.raw_db)) as con:
        con.execute(STATE_DDL)
        open_rows = con.execute(
            "select subject_id, kind, summary from alert_state where resolved_at is null "
            "and kind not in ('stale', 'refresh_failed')").fetchall()
        announced = {row[0]: row for row in open_rows}
        current = set(problems["subject_id"])
        new = described(problems[~problems["subject_id"].isin(announced)])
        resolved = [row for subject, row in announced.items() if subject not in current]
        if new.empty and not resolved:
            return None
        items = [{"status": "new", **row} for row in new.to_dict(orient="records")]
        items += [{"status": "resolved", "subject_id": s, "kind": k, "summary": text} for s, k, text in resolved]
        counts = new["kind"].value_counts().to_dict()
        title = (f"fiscal refresh: {len(new)} new problem(s) "
                 f"({', '.join(f'{v} {k}' for k, v in sorted(counts.items())) or 'none'}), {len(resolved)} resolved")
        alert = Alert(kind="findings", title=title, items=items)
        deliver(alert, config)
        fresh = new.assign(first_alerted_at=now)[["subject_id", "kind", "summary", "first_alerted_at"]]  # noqa: F841
        con.execute("insert or replace into alert_state select subject_id, kind, summary, first_alerted_at, null "
                    "from fresh")
        if resolved:
            con.executemany("update alert_state set resolved_at = ? where subject_id = ?",
                            [(now, subject) for subject, _, _ in resolved])
    return alert


def announce_failure(paths: WarehousePaths, run_id: str, failures: list[tuple[str, str]],
                     config: AlertConfig | None = None) -> Alert:
    """A failed refresh is announced every time: each failure is news."""
    config = config or AlertConfig.load(paths)
    items = [{"status": "new", "subject_id": f"run:{run_id}:{step}", "kind": "refresh_failed",
              "summary": f"step {step} failed: {message[:500]}"} for step, message in failures]
    alert = Alert(kind="refresh_failed", title=f"fiscal refresh failed (run {run_id}); previous marts unchanged",
                  items=items)
    deliver(alert, config)
    return alert


def _confirmed_at(paths: WarehousePaths) -> datetime | None:
    """When a refresh last found nothing new (the current release confirmed; last_refresh.json)."""
    try:
        summary = json.loads(paths.last_refresh.read_text(encoding="utf-8"))
        if summary.get("nothing_new") and summary.get("success", True):
            return datetime.fromisoformat(summary["finished_at"]).astimezone(UTC).replace(tzinfo=None)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return None


def check_freshness(paths: WarehousePaths, now: datetime | None = None,
                    config: AlertConfig | None = None) -> Alert | None:
    """Alert once when no refresh has published for 26 hours (per stale release)."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    if not paths.has_published():
        return None
    with BuildDatabase(paths.published, read_only=True) as marts:
        release_id, published_at = marts.rows(
            "select release_id, published_at from publish_history order by published_at desc limit 1")[0]
    published_at = max(published_at, _confirmed_at(paths) or published_at)
    if now - published_at <= FRESHNESS_LIMIT:
        return None
    subject = f"stale:{release_id}"
    with duckdb.connect(str(paths.raw_db)) as con:
        con.execute(STATE_DDL)
        if con.execute("select count(*) from alert_state where subject_id = ?", [subject]).fetchone()[0]:
            return None
        hours = (now - published_at).total_seconds() / 3600
        alert = Alert(kind="stale", title=f"fiscal marts are stale: last publish {published_at:%Y-%m-%d %H:%M} UTC "
                                          f"({hours:.0f} h ago, limit 26 h)",
                      items=[{"status": "new", "subject_id": subject, "kind": "stale",
                              "summary": f"release {release_id} published {published_at} is the newest"}])
        deliver(alert, config or AlertConfig.load(paths))
        con.execute("insert into alert_state values (?, 'stale', ?, ?, null)", [subject, alert.title, now])
    return alert
