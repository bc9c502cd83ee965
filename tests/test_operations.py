"""Operations: a daemon-less sensor tick drives the job; alerts reach every channel once per change."""

import email
import email.policy
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import duckdb
import pytest
from aiosmtpd.controller import Controller
from dagster import DagsterInstance, SensorResult, build_sensor_context

from ingest.sample_reports import east_lake_education_bureau, east_lake_finance_bureau, render_final_accounts
from orchestration.alerts import AlertConfig, check_freshness
from orchestration.definitions import defs
from orchestration.resources import WarehouseResource
from orchestration.sensors import inbox_sensor
from orchestration.warehouse import WarehousePaths
from tests.conftest import REPO

pytestmark = pytest.mark.e2e


class Recorder:
    def __init__(self):
        self.items = []


@pytest.fixture()
def webhook():
    received = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server API)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.items.append(json.loads(body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    received.url = f"http://127.0.0.1:{server.server_port}/hook"
    yield received
    server.shutdown()


@pytest.fixture()
def smtp():
    received = Recorder()

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            received.items.append(f"{message['Subject']}\n{message.get_content()}")
            return "250 OK"

    with socket.socket() as probe:  # a free port: aiosmtpd's start() cannot verify port 0
        probe.bind(("127.0.0.1", 0))
        received.port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=received.port)
    controller.start()
    yield received
    controller.stop()


def write_report(inbox: Path, name: str, report) -> Path:
    path = inbox / name
    path.write_text(render_final_accounts(report), encoding="utf-8")
    return path


def tick_and_run(instance, warehouse, cursor):
    """What the daemon does: evaluate the sensor, then launch the runs it requests."""
    context = build_sensor_context(instance=instance, cursor=cursor, resources={"warehouse": warehouse},
                                   definitions=defs)
    result = inbox_sensor(context)
    if not isinstance(result, SensorResult):
        return None, cursor
    job = defs.resolve_job_def("nightly_refresh")
    for request in result.run_requests:
        outcome = job.execute_in_process(instance=instance, resources={"warehouse": warehouse}, tags=request.tags)
        assert outcome.success
    return result, result.cursor


def test_sensor_picks_up_only_new_reports_and_corrections_supersede(tmp_path, monkeypatch):
    inbox, home = tmp_path / "inbox", tmp_path / "warehouse"
    inbox.mkdir()
    monkeypatch.setenv("FISCAL_ALERTS_FILE", "")
    instance = DagsterInstance.ephemeral()
    warehouse = WarehouseResource(home=str(home), inbox=str(inbox))
    write_report(inbox, "finance.txt", east_lake_finance_bureau())

    result, cursor = tick_and_run(instance, warehouse, None)
    assert len(result.run_requests) == 1
    finance_hash = hashlib.sha256((inbox / "finance.txt").read_bytes()).hexdigest()
    assert instance.get_dynamic_partitions("reports") == [finance_hash]
    again, cursor = tick_and_run(instance, warehouse, cursor)
    assert again is None  # nothing new: no run
    shutil.copy(inbox / "finance.txt", inbox / "finance_copy.txt")  # the same bytes under another name
    duplicate, cursor = tick_and_run(instance, warehouse, cursor)
    assert len(duplicate.run_requests) == 1
    assert instance.get_dynamic_partitions("reports") == [finance_hash]  # recognised: no new report

    raw = WarehousePaths(home).raw_db
    with duckdb.connect(str(raw), read_only=True) as con:
        first_parse = con.execute("select content_hash, parsed_at from documents").fetchall()

    education = east_lake_education_bureau()
    write_report(inbox, "education.txt", education)
    result, cursor = tick_and_run(instance, warehouse, cursor)
    education_hash = hashlib.sha256((inbox / "education.txt").read_bytes()).hexdigest()
    assert sorted(instance.get_dynamic_partitions("reports")) == sorted([finance_hash, education_hash])
    with duckdb.connect(str(raw), read_only=True) as con:
        parses = dict(con.execute("select content_hash, parsed_at from documents").fetchall())
    assert len(parses) == 2 and all(parses[h] == t for h, t in first_parse)  # only the new one was parsed
    with duckdb.connect(str(WarehousePaths(home).marts_db), read_only=True) as con:
        assert con.execute("select count(*) from mart_unit_year_overview").fetchone()[0] == 2
        assert con.execute("select count(*) from dim_report_table where publication_status = 'quarantined'"
                           ).fetchone()[0] == 1

    # a corrected re-publication (same unit, year, kind) under another name supersedes the erratum
    education.alterations = {}
    write_report(inbox, "education_corrected.txt", education)
    result, cursor = tick_and_run(instance, warehouse, cursor)
    assert result is not None
    with duckdb.connect(str(WarehousePaths(home).marts_db), read_only=True) as con:
        versions = con.execute("select file_names, version_number, is_current, superseded_at is not null "
                               "from report_version where unit_name like '%教育局%' order by version_number").fetchall()
        assert versions == [("education.txt", 1, False, True), ("education_corrected.txt", 2, True, False)]
        current = "(select document_id from dim_document where is_current_version)"
        assert con.execute("select count(*) from dim_report_table where publication_status = 'quarantined' "
                           f"and document_id in {current}").fetchone()[0] == 0
        assert con.execute(f"select count(*) from dq_finding where severity = 'error' and document_id in {current}"
                           ).fetchone()[0] == 0
        # the superseded erratum keeps its findings, visible but out of the published facts
        assert con.execute(f"select count(*) from dq_finding where severity = 'error' and document_id not in "
                           f"{current}").fetchone()[0] == 2
        duplicate_row = con.execute("select file_names, n_sightings from report_version "
                                    "where unit_name = '示例市东湖区财政局'").fetchall()
        assert duplicate_row == [("finance.txt | finance_copy.txt", 2)]  # recognised, loaded once
    partitions = instance.get_dynamic_partitions("reports")
    assert len(partitions) == 3


def test_alerts_once_per_channel_then_silence_then_resolution(tmp_path, monkeypatch, webhook, smtp):
    inbox, home = tmp_path / "inbox", tmp_path / "warehouse"
    inbox.mkdir()
    monkeypatch.setenv("FISCAL_ALERT_WEBHOOK_URL", webhook.url)
    monkeypatch.setenv("FISCAL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("FISCAL_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("FISCAL_SMTP_TO", "maintainers@example.org")
    instance = DagsterInstance.ephemeral()
    warehouse = WarehouseResource(home=str(home), inbox=str(inbox))
    job = defs.resolve_job_def("nightly_refresh")
    write_report(inbox, "finance.txt", east_lake_finance_bureau())
    education = east_lake_education_bureau()  # carries one altered amount in 公开03
    write_report(inbox, "education.txt", education)

    assert job.execute_in_process(instance=instance, resources={"warehouse": warehouse}).success
    log = home / "alerts.jsonl"
    assert len(webhook.items) == 1 and len(smtp.items) == 1 and len(log.read_text().splitlines()) == 1
    alert = webhook.items[0]
    errors = [i for i in alert["items"] if i["kind"] == "finding_error"]
    assert {(i["table_code"], i["row"], i["rule_id"], i["expected"], i["actual"]) for i in errors} == {
        ("GK03", "20502", "hierarchy_rollup", 24296.99, 24286.99),
        ("GK03", "2050202", "row_total", 12505.62, 12515.62)}
    assert all(i["unit_name"] == "示例市东湖区教育局(汇总)" and i["fiscal_year"] == 2023
               and i["file_name"] == "education.txt" and i["finding_id"] in i["where_to_look"] for i in errors)
    assert any(i["kind"] == "table_quarantined" and i["table_code"] == "GK03" for i in alert["items"])
    assert "GK03 row 2050202" in smtp.items[0] and "expected 12505.62 actual 12515.62" in smtp.items[0]

    assert job.execute_in_process(instance=instance, resources={"warehouse": warehouse}).success
    assert len(webhook.items) == 1 and len(smtp.items) == 1 and len(log.read_text().splitlines()) == 1

    education.alterations = {}
    write_report(inbox, "education.txt", education)  # corrected in place
    assert job.execute_in_process(instance=instance, resources={"warehouse": warehouse}).success
    assert len(webhook.items) == 2 and len(smtp.items) == 2
    resolved = webhook.items[1]["items"]
    assert {i["status"] for i in resolved} == {"resolved"} and len(resolved) == 3


def test_freshness_alert_once_after_26_hours(tmp_path):
    home = tmp_path / "warehouse"
    paths = WarehousePaths(home).ensure()
    shutil.copytree(Path(__file__).parent.parent / "samples" / "inbox", tmp_path / "inbox")
    warehouse = WarehouseResource(home=str(home), inbox=str(tmp_path / "inbox"))
    assert defs.resolve_job_def("nightly_refresh").execute_in_process(resources={"warehouse": warehouse}).success
    with duckdb.connect(str(paths.marts_db), read_only=True) as con:
        published = con.execute("select max(published_at) from publish_history").fetchone()[0]
    config = AlertConfig(jsonl_path=tmp_path / "alerts.jsonl")
    assert check_freshness(paths, now=published + timedelta(hours=25), config=config) is None
    alert = check_freshness(paths, now=published + timedelta(hours=27), config=config)
    assert alert is not None and "stale" in alert.title and "27 h ago" in alert.title
    assert check_freshness(paths, now=published + timedelta(hours=30), config=config) is None
    assert len((tmp_path / "alerts.jsonl").read_text().splitlines()) == 1


def test_failed_refresh_is_announced_and_previous_marts_stay(tmp_path):
    inbox, home = tmp_path / "inbox", tmp_path / "warehouse"
    shutil.copytree(Path(__file__).parent.parent / "samples" / "inbox", inbox)
    broken = tmp_path / "waivers.yml"
    broken.write_text("waivers:\n  - document: abc\n    rule: row_total\n", encoding="utf-8")  # no reason/who/when
    env = {**os.environ, "FISCAL_HOME": str(home)}
    command = [sys.executable, "-m", "orchestration.cli", "refresh", "--inbox", str(inbox)]
    assert subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True).returncode == 0
    release = sorted(p.name for p in (home / "releases").glob("*.duckdb"))
    failed = subprocess.run(command + ["--waivers", str(broken)], cwd=REPO, env=env, capture_output=True, text=True)
    assert failed.returncode == 1
    assert "refresh failed in integrity_findings" in failed.stdout and "lacks reason, approved_by" in failed.stdout
    alerts = [json.loads(line) for line in (home / "alerts.jsonl").read_text().splitlines()]
    assert [a["kind"] for a in alerts] == ["findings", "refresh_failed"]
    assert "waiver #1 lacks reason, approved_by, approved_on" in alerts[1]["items"][0]["summary"]
    assert sorted(p.name for p in (home / "releases").glob("*.duckdb")) == release  # nothing new published
