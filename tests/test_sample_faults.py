"""`fiscal samples --faults`: each injected fault is found by the suites in every report kind (决算, 预算,
绩效自评), clean reports reconcile, and a 决算 that stops before its last tables is noticed
(standard_tables_present)."""

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
    # seed 12: every fault in 决算; all but a garbled cell in 预算; a wrong total, a rounding-only difference
    # and a garbled score in 绩效自评
    result = fiscal("samples", "--out", str(inbox), "--count", "16", "--seed", "12", "--faults", "0.6",
                    home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "inbox.faults.csv", encoding="utf-8") as handle:
        faults = {row["file_name"]: row["fault"] for row in csv.DictReader(handle)}
    assert set(faults.values()) == set(FAULT_KINDS)
    report_kind = {name: name.rsplit("_", 1)[1].removesuffix(".txt") for name in faults}
    assert {(report_kind[n], k) for n, k in faults.items()} >= {
        ("jixiao", "wrong_total"), ("jixiao", "rounding_only"), ("jixiao", "garbled_cell"),
        ("yusuan", "wrong_total"), ("yusuan", "truncated_file"), ("juesuan", "truncated_file")}
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
        if kind == "wrong_total":  # a 合计 in 决算/预算 tables, the quoted self-score of a 绩效自评报告
            rule = "score_total" if file_name.endswith("_jixiao.txt") else "column_total"
            assert (rule, "error") in found, (file_name, found)
        if kind == "garbled_cell":
            assert ("unreadable_row", "error") in found, (file_name, found)
        if kind == "empty_file":
            assert status[file_name] == "quarantined"
        if kind == "truncated_file" and file_name.endswith("_juesuan.txt"):
            assert ("standard_tables_present", "warning") in found, (file_name, found)
        if kind == "truncated_file":  # a budget's table set varies by region: found by the table it cuts
            assert severities & {"warning", "error"}, (file_name, found)


def test_each_generated_report_kind_parses_as_that_kind():
    """A unit publishes a 决算, a 预算 (budget titles, 预算数 columns) and a 绩效自评报告 whose quoted
    self-score is the sum of its printed indicator scores."""
    from pathlib import Path

    from ingest.parse_report import parse_report_file
    from ingest.reader import report_from_bytes
    from ingest.sample_reports import generate_reports

    outcomes = {name.rsplit("_", 1)[1]: parse_report_file(report_from_bytes(Path(name), text.encode("utf-8")))
                for name, text in generate_reports(3, seed=3)}
    final, budget, performance = (outcomes[k] for k in ("juesuan.txt", "yusuan.txt", "jixiao.txt"))
    assert {o.document["unit_name"] for o in outcomes.values()} == {"示例市东湖区财政局"}
    assert (final.document["report_kind"], budget.document["report_kind"], performance.document["report_kind"]) == (
        "final_accounts", "budget", "performance")
    codes = ["GK01", "GK02", "GK03", "GK04", "GK05", "GK06", "GK07", "GK08"]
    assert [t["table_code"] for t in final.tables] == codes == [t["table_code"] for t in budget.tables]
    budget_titles = {t["table_code"]: t["title"] for t in budget.tables}
    assert budget_titles["GK01"] == "收支预算总表" and budget_titles["GK07"] == "“三公”经费支出预算表"
    assert {c["column_path"] for c in budget.cells if c["table_code"] == "GK01"} == {"预算数"}
    [table] = performance.performance_tables
    leaves = [i for i in performance.indicators if i["level"] == 3]
    assert (table["table_code"], table["n_indicators"], len(leaves)) == ("PERF_DEPT_01", 29, 18)
    assert table["stated_total"] == 95.5 == round(sum(leaf["score"] for leaf in leaves), 2)  # seed 3
    assert sum(leaf["weight"] for leaf in leaves) == 100
