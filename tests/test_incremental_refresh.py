"""A refresh does work in proportion to what changed: the audit re-runs only for documents whose parse,
rules or models changed (the others keep their findings), and dbt classifies only new documents.

The audit tests run the gate on a copy of a refreshed warehouse (bundled samples + seed 000), so the
figures compared are the ones the full refresh published.
"""

import shutil
from pathlib import Path

import duckdb
import pytest

from expectations import audit_ledger
from expectations.gate import run_integrity
from tests.conftest import REPO, fiscal

pytestmark = pytest.mark.e2e


@pytest.fixture
def warehouse(refreshed, tmp_path) -> Path:
    """A copy of the shared refreshed warehouse, audited once with the default waivers: another test refreshes
    the shared one with a waiver of its own (test_refresh_end_to_end), and whether it ran first depends on how
    the tests were shared out among the workers. The audit here re-audits nothing (nothing changed)."""
    home = tmp_path / "home"
    shutil.copytree(refreshed["home"], home, ignore=shutil.ignore_patterns("marts.duckdb", "releases", "logs"))
    assert audit(home).n_documents_audited == 0
    return home


def findings(home: Path) -> list[tuple]:
    with duckdb.connect(str(home / "build" / "build.duckdb"), read_only=True) as build:
        return build.execute(
            "select document_id, rule_id, table_code, coalesce(row_code, row_label), column_path, severity, "
            "expected, actual, waived from audit.dq_finding order by all").fetchall()


def audit(home: Path, **kwargs):
    return run_integrity(home / "build" / "build.duckdb", home / "raw.duckdb", **kwargs)


def test_unchanged_documents_keep_their_findings_without_being_audited(warehouse):
    before = findings(warehouse)
    outcome = audit(warehouse)
    assert outcome.n_documents_audited == 0 and outcome.n_candidates == 0
    assert findings(warehouse) == before
    severities = [row[5] for row in before]
    assert outcome.by_severity == {s: severities.count(s) for s in set(severities)}
    assert outcome.by_severity["error"] >= 2 and outcome.n_checks > 500
    # the bundled sample's erratum (公开03 row 2050202: 12,515.62 printed, 12,505.62 summed) still holds back
    assert [code for _, code in outcome.quarantined_tables].count("GK03") == 1


def test_a_reparsed_document_alone_is_audited_again(warehouse):
    before = findings(warehouse)
    with duckdb.connect(str(warehouse / "build" / "build.duckdb")) as build:
        erratum_doc = build.execute(
            "select document_id from audit.dq_finding where severity = 'error' limit 1").fetchall()[0][0]
        n_checks = build.execute("select n_checks from audit.document_audit where document_id = ?",
                                 [erratum_doc]).fetchall()[0][0]
        # as if the parser had read it again: its audit no longer matches its parse
        build.execute("update audit.document_audit set parsed_at = parsed_at - interval 1 day "
                      "where document_id = ?", [erratum_doc])
    outcome = audit(warehouse)
    assert outcome.n_documents_audited == 1
    assert outcome.n_candidates > 0  # its erratum's differing comparisons went to GX again
    assert findings(warehouse) == before
    with duckdb.connect(str(warehouse / "build" / "build.duckdb"), read_only=True) as build:
        assert build.execute("select n_checks from audit.document_audit where document_id = ?",
                             [erratum_doc]).fetchall()[0][0] == n_checks > 100


def test_changed_rules_reaudit_everything_and_waivers_need_no_reaudit(warehouse, monkeypatch, tmp_path):
    before = findings(warehouse)
    with duckdb.connect(str(warehouse / "build" / "build.duckdb"), read_only=True) as build:
        n_documents = build.execute("select count(*) from audit.document_audit").fetchall()[0][0]
        errors = build.execute("select distinct document_id, rule_id from audit.dq_finding "
                               "where severity = 'error' and table_code = 'GK03'").fetchall()
    monkeypatch.setattr(audit_ledger, "audit_fingerprint", lambda: "rules-changed")
    monkeypatch.setattr("expectations.gate.audit_fingerprint", lambda: "rules-changed")
    outcome = audit(warehouse)
    assert outcome.n_documents_audited == n_documents >= 3
    assert findings(warehouse) == before
    waivers = tmp_path / "waivers.yml"
    waivers.write_text("waivers:\n" + "".join(
        f"  - document: '{document_id}'\n    rule: {rule_id}\n    table: GK03\n"
        "    reason: known erratum of the printed report\n    approved_by: tester\n    approved_on: '2026-11-22'\n"
        for document_id, rule_id in errors), encoding="utf-8")
    waived = audit(warehouse, waivers_path=waivers)
    assert waived.n_documents_audited == 0
    assert (errors[0][0], "GK03") not in waived.quarantined_tables
    assert waived.n_waived >= len(errors) >= 1


def test_one_new_report_builds_what_a_full_build_would(tmp_path):
    """int_amounts_classified and int_performance_indicators_scored are incremental by document: adding
    reports to a warehouse must publish exactly what building all of them from scratch publishes."""
    first, second = sorted((REPO / "samples" / "inbox").iterdir())[:2]
    assert fiscal("samples", "--out", str(tmp_path / "generated"), "--count", "3", "--seed", "7",
                  home=tmp_path / "unused").returncode == 0
    scored = next((tmp_path / "generated").glob("*_jixiao.txt"))  # a 绩效自评 report: a score table
    inbox, both = tmp_path / "inbox", tmp_path / "both"
    inbox.mkdir()
    both.mkdir()
    shutil.copy(first, inbox / first.name)
    for sample in (first, second, scored):
        shutil.copy(sample, both / sample.name)
    assert fiscal("refresh", "--inbox", str(inbox), home=tmp_path / "grown").returncode == 0
    shutil.copy(second, inbox / second.name)
    shutil.copy(scored, inbox / scored.name)
    grown = fiscal("refresh", "--inbox", str(inbox), home=tmp_path / "grown")
    assert grown.returncode == 0, grown.stdout + grown.stderr
    assert fiscal("refresh", "--inbox", str(both), home=tmp_path / "scratch").returncode == 0
    log = max((tmp_path / "grown" / "logs").iterdir()).read_text(encoding="utf-8")
    assert "rebuilt in full" not in log  # the second refresh was incremental
    assert "copied from release" in log  # and so was its publish (orchestration/publish.py)

    def published(home: Path) -> tuple:
        with duckdb.connect(str(home / "marts.duckdb"), read_only=True) as marts:
            return (marts.execute("select fact_id, source_table, source_line, amount_wan from fct_fiscal_amount "
                                  "order by fact_id").fetchall(),
                    marts.execute("select fact_id from fct_fiscal_amount_quarantined order by 1").fetchall(),
                    marts.execute("select finding_id, severity from dq_finding order by 1").fetchall(),
                    marts.execute("select score_fact_id, score, score_is_derived from fct_performance_score "
                                  "order by 1").fetchall())

    facts, held, found, scores = published(tmp_path / "grown")
    assert (facts, held, found, scores) == published(tmp_path / "scratch")
    assert len(facts) == 463 and len(held) == 66 and len(found) >= 2  # the sample erratum holds back 公开03
    assert len(scores) >= 10
