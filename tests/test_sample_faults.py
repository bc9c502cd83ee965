"""`fiscal samples --faults`: each injected fault is found by the suites, clean reports reconcile, and a
决算 that stops before its last tables is noticed (standard_tables_present)."""

import csv

import duckdb
import pandas as pd
import pytest

from expectations.completeness_checks import completeness_comparisons
from expectations.suite import evaluate
from ingest.sample_reports import FAULT_KINDS, generate_with_faults


def test_faults_are_injected_deterministically_in_turn():
    first = list(generate_with_faults(12, seed=4, fault_rate=0.5))
    assert first == list(generate_with_faults(12, seed=4, fault_rate=0.5))
    kinds = [kind for _, _, kind, _ in first if kind]
    assert len(kinds) >= 3 and kinds == [FAULT_KINDS[i % len(FAULT_KINDS)] for i in range(len(kinds))]


def tables(codes):
    return pd.DataFrame({"document_id": "d", "table_code": codes, "last_line": range(10, 10 * len(codes) + 1, 10)})


def test_complete_final_accounts_pass_and_a_cut_one_warns():
    documents = pd.DataFrame({"document_id": ["d"], "report_kind": ["final_accounts"]})
    complete = completeness_comparisons(tables(["GK01", "GK02", "GK03", "GK04", "GK05", "GK06", "GK07", "GK08"]),
                                        documents)
    assert evaluate(complete).empty
    cut = evaluate(completeness_comparisons(tables(["GK01", "GK02", "GK03"]), documents))
    assert list(cut["severity"]) == ["warning"] and cut.iloc[0]["addends"] == "missing: GK04, GK05, GK06, GK07"
    budget = documents.assign(report_kind="budget")  # budgets print other sets of tables
    assert completeness_comparisons(tables(["GK01"]), budget).empty


@pytest.mark.e2e
def test_every_injected_fault_is_found_and_clean_reports_reconcile(tmp_path):
    from tests.test_refresh_end_to_end import fiscal

    inbox = tmp_path / "inbox"
    result = fiscal("samples", "--out", str(inbox), "--count", "16", "--seed", "11", "--faults", "0.6",
                    home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "inbox.faults.csv", encoding="utf-8") as handle:
        faults = {row["file_name"]: row["fault"] for row in csv.DictReader(handle)}
    assert set(faults.values()) == set(FAULT_KINDS)
    result = fiscal("refresh", "--inbox", str(inbox), home=tmp_path / "home")
    assert result.returncode == 0, result.stdout + result.stderr
    with duckdb.connect(str(tmp_path / "home" / "marts.duckdb"), read_only=True) as con:
        status = dict(con.execute("select file_name, parse_status from dim_document").fetchall())
        findings = con.execute("select file_name, rule_id, severity from dq_finding").fetchall()
    by_file: dict[str, set[tuple[str, str]]] = {}
    for file_name, rule_id, severity in findings:
        by_file.setdefault(file_name, set()).add((rule_id, severity))
    for file_name in status:
        kind = faults.get(file_name)
        found = by_file.get(file_name, set())
        severities = {severity for _, severity in found}
        if kind is None or kind == "rounding_only":
            assert severities <= {"info"}, (file_name, kind, found)  # rounding alone never warns
        if kind == "rounding_only":
            assert severities == {"info"}, (file_name, found)
        if kind == "wrong_total":
            assert ("column_total", "error") in found, (file_name, found)
        if kind == "garbled_cell":
            assert ("unreadable_row", "error") in found, (file_name, found)
        if kind == "empty_file":
            assert status[file_name] == "quarantined"
        if kind == "truncated_file":
            assert ("standard_tables_present", "warning") in found, (file_name, found)
