"""A document can only quarantine itself; findings say whether the source or the reader is at fault.

End to end: one inbox where a document collides with itself, two documents are the same report, one
document's reader raises, one document's collision is let through to dbt, one document's audit raises,
beside good documents: the refresh exits 0, the good ones are published with their figures, each bad one
is named with its reason. Unit tests: the per-document key check, origin, finding ids, the quarantine
scope, waiver matching, dbt failures traced to documents, the raw layer's per-document load.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingest.sample_reports import east_lake_education_bureau, east_lake_finance_bureau, render_final_accounts
from tests.conftest import fiscal

DUPLICATE_LABEL = {(0, "财政拨款收入\t上级补助收入\t事业收入"): "财政拨款收入\t财政拨款收入\t事业收入"}
INCOME = ("select f.amount_wan::double from fct_fiscal_amount f join dim_document d using (document_id) "
          "where d.file_name = ? and f.source_table = 'GK01' and f.source_row_label = '一、财政拨款收入'")


def finance_report(unit: str, alterations: dict | None = None) -> str:
    return render_final_accounts(replace(east_lake_finance_bureau(), unit=unit, alterations=alterations or {}))


@pytest.fixture(scope="module")
def isolated(tmp_path_factory):
    inbox = tmp_path_factory.mktemp("isolation_inbox")
    home = tmp_path_factory.mktemp("isolation_home")
    files = {
        "finance_draft.txt": finance_report("示例市东湖区财政局"),
        "finance_final.txt": finance_report("示例市东湖区财政局") + "\n（正式版）\n",  # the same report, later
        "education.txt": render_final_accounts(east_lake_education_bureau()),  # a genuine source erratum
        "south.txt": finance_report("示例市南湖区财政局", DUPLICATE_LABEL),  # collides with itself
        "north.txt": finance_report("示例市北湖区财政局"),  # its reader raises
        "west.txt": finance_report("示例市西湖区财政局", DUPLICATE_LABEL),  # its collision reaches dbt
        "east_city.txt": finance_report("示例市东城区财政局"),  # its audit raises
        "copy.txt": render_final_accounts(replace(east_lake_education_bureau(), unit="示例市西湖区教育局(汇总)")),
    }
    for name, text in files.items():
        (inbox / name).write_text(text, encoding="utf-8")
    earlier = time.time() - 2 * 86400
    os.utime(inbox / "finance_draft.txt", (earlier, earlier))
    # copy.txt: its findings share one id, so a key test of the marts fails on its rows
    faults = "parse.raise:north.txt,keys.unchecked:west.txt,audit.raise:east_city.txt,audit.duplicate_ids:copy.txt"
    os.environ["FISCAL_FAULTS"] = faults
    try:
        result = fiscal("refresh", "--inbox", str(inbox), home=home)
    finally:
        del os.environ["FISCAL_FAULTS"]
    con = duckdb.connect(str(home / "marts.duckdb"), read_only=True)
    yield {"result": result, "con": con, "home": home}
    con.close()


def rows(con, sql, *params):
    return con.execute(sql, list(params)).fetchall()


@pytest.mark.e2e
def test_bad_documents_do_not_stop_the_refresh(isolated):
    assert isolated["result"].returncode == 0, isolated["result"].stdout + isolated["result"].stderr
    status = dict(rows(isolated["con"], "select file_name, parse_status from dim_document"))
    assert status == {"finance_draft.txt": "parsed", "finance_final.txt": "parsed", "education.txt": "parsed",
                      "south.txt": "parsed", "north.txt": "quarantined", "west.txt": "quarantined",
                      "east_city.txt": "parsed", "copy.txt": "quarantined"}


@pytest.mark.e2e
def test_good_documents_are_published_with_their_figures(isolated):
    con = isolated["con"]
    assert rows(con, INCOME, "finance_final.txt") == [(2923.49,)]
    assert rows(con, INCOME, "education.txt") == [(25854.46,)]
    # the erratum holds back its own table only, as the document's (source) inconsistency
    held = rows(con, "select table_code, quarantine_origin from dim_report_table t join dim_document d "
                     "using (document_id) where d.file_name = 'education.txt' and publication_status = 'quarantined'")
    assert held == [("GK03", "source")]
    source = rows(con, "select distinct file_name from dq_finding where origin = 'source' and severity = 'error'")
    assert source == [("education.txt",)]


@pytest.mark.e2e
def test_a_document_colliding_with_itself_holds_back_only_the_rows_it_cannot_place(isolated):
    con = isolated["con"]
    assert rows(con, INCOME, "south.txt") == [(2923.49,)]  # its other tables are published
    gk02 = rows(con, "select count(*) from fct_fiscal_amount f join dim_document d using (document_id) "
                     "where d.file_name = 'south.txt' and f.source_table = 'GK02'")
    assert gk02 == [(0,)]  # every row of 公开02 read two amounts under '财政拨款收入': none published
    found = rows(con, "select line_no, origin, scope, message from dq_finding where file_name = 'south.txt' "
                      "order by line_no")
    assert len(found) == 13 and {(o, s) for _, o, s, _ in found} == {("reader", "row")}
    assert "row '201': 2 amounts (2,607.16, 0.00) read under the one column '财政拨款收入'" in found[1][3]


@pytest.mark.e2e
def test_the_same_report_in_two_documents_is_published_once(isolated):
    con = isolated["con"]
    versions = rows(con, "select file_names, is_current from report_version where unit_name = '示例市东湖区财政局' "
                         "order by version_number")
    assert versions == [("finance_draft.txt", False), ("finance_final.txt", True)]
    duplicated = rows(con, "select count(*) from (select source_table, side, source_line, source_row_code, "
                           "source_row_label, source_column from fct_fiscal_amount join dim_unit using (unit_id) "
                           "where unit_name = '示例市东湖区财政局' group by all having count(*) > 1)")
    assert duplicated == [(0,)] and rows(con, INCOME, "finance_draft.txt") == []


@pytest.mark.e2e
def test_each_bad_document_is_named_with_its_reason(isolated):
    con = isolated["con"]
    reasons = dict(rows(con, "select file_name, parse_reason from dim_document where parse_status = 'quarantined'"))
    assert reasons["north.txt"].startswith("north.txt: the parser failed (InjectedFault: fault injected at "
                                           "parse.raise for north.txt (FISCAL_FAULTS)) in ingest/faults.py")
    assert reasons["west.txt"].startswith("west.txt: dbt test unique_per_document_int_amounts_classified_")
    assert "(GK02 line 43" in reasons["west.txt"] and "in each document" in reasons["west.txt"]
    assert reasons["copy.txt"].startswith("copy.txt: dbt test unique_dq_finding_finding_id failed on ")
    assert "expected finding_id unique" in reasons["copy.txt"]
    audit = rows(con, "select rule_id, origin, message from dq_finding where file_name = 'east_city.txt'")
    assert [(r, o) for r, o, _ in audit] == [("audit_failed", "reader")]
    assert "the audit could not run on east_city.txt (InjectedFault" in audit[0][2]
    held = rows(con, "select publication_status, quarantine_rules, count(*) from dim_report_table t join dim_document "
                     "d using (document_id) where d.file_name = 'east_city.txt' group by all")
    assert held == [("quarantined", "audit_failed", 8)]
    stdout = isolated["result"].stdout
    assert "document held back: west.txt" in stdout and "document quarantined north.txt" in stdout


@pytest.mark.e2e
def test_reader_problems_are_alerted_once_per_document(isolated):
    import json

    alert = json.loads((isolated["home"] / "alerts.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    could_not_read = [i for i in alert["items"] if i["kind"] == "could_not_read"]
    assert sorted(i["file_name"] for i in could_not_read) == ["east_city.txt", "south.txt"]
    south = next(i for i in could_not_read if i["file_name"] == "south.txt")
    assert "13 row(s) in GK02" in south["summary"] and "held back: 13 row(s)" in south["summary"]
    assert not [i for i in alert["items"] if i["kind"].startswith("finding_") and i["file_name"] == "south.txt"]


# ---------------------------------------------------------------------------------------- unit tests

def cell(line: int, column: str, value: str, row: str = "2010601", position: int = 2, table: str = "GK05") -> dict:
    return {"content_hash": "d" * 64, "file_name": "x.pdf", "table_code": table, "row_label": "行政运行",
            "row_code": row, "row_number": None, "side": None, "column_path": column, "column_number": None,
            "value_text": value, "amount": float(value.replace(",", "")), "line_no": line, "page_no": 3,
            "position": position}


def outcome(cells: list[dict], tables: list[dict] | None = None):
    from ingest.parse_report import ParseOutcome

    document = {"content_hash": "d" * 64, "file_name": "x.pdf", "status": "parsed", "n_cells": len(cells)}
    return ParseOutcome(document=document, cells=cells, tables=tables or [
        {"content_hash": "d" * 64, "table_code": "GK05", "title": "一般公共预算支出表", "first_line": 1,
         "last_line": 99, "first_page": 3, "n_cells": len(cells), "n_issues": 0, "notes": None}])


def test_two_amounts_under_one_column_label_withhold_their_row():
    from ingest.document_keys import check_document_keys

    parsed = outcome([cell(10, "合计", "5.00", position=2), cell(10, "合计", "3.00", position=3),
                      cell(10, "基本支出", "2.00", position=4), cell(11, "合计", "7.00", row="2010602")])
    check_document_keys(parsed)
    assert [(c["line_no"], c["column_path"]) for c in parsed.cells] == [(11, "合计")]  # the whole row 10 goes
    issue = parsed.issues[0]
    assert (issue["table_code"], issue["line_no"], issue["page_no"]) == ("GK05", 10, 3)
    assert issue["message"].startswith("row '2010601': 2 amounts (5.00, 3.00) read under the one column '合计'")
    assert parsed.tables[0]["n_cells"] == 1 and parsed.tables[0]["n_issues"] == 1
    assert parsed.document["n_cells"] == 1


def test_amounts_under_no_column_or_a_label_column_are_not_placed():
    from ingest.document_keys import check_document_keys

    parsed = outcome([cell(10, "", "5.00"), cell(11, "功能分类科目名称", "189,767,551", row=None),
                      cell(12, "项目支出", "4.00")])  # 项目支出 is an amount column, 项目 would not be
    check_document_keys(parsed)
    assert [c["line_no"] for c in parsed.cells] == [12]
    assert "read under no column label" in parsed.issues[0]["message"]
    assert "read under '功能分类科目名称', a column of labels" in parsed.issues[1]["message"]


def test_a_table_printed_twice_keeps_one_key():
    from ingest.document_keys import check_document_keys

    def table(code, first, last):
        return {"content_hash": "d" * 64, "table_code": code, "title": code, "first_line": first, "last_line": last,
                "first_page": first // 10, "n_cells": 0, "n_issues": 0, "notes": None}

    parsed = outcome(
        [cell(22, "合计", "1.00"), cell(35, "合计", "2.00", row="2010602"),  # a continuation on the next page
         cell(62, "合计", "1.00"), cell(72, "金额", "9.00", table="GK07")],  # repeats row 2010601 after GK06
        [table("GK05", 5, 5), table("GK05", 20, 30), table("GK05", 31, 40), table("GK06", 41, 50),
         table("GK05", 60, 65), table("GK07", 70, 80)])
    parsed.issues.append({"content_hash": "d" * 64, "file_name": "x.pdf", "table_code": "GK05", "line_no": 5,
                          "page_no": 0, "message": "no table rows found under the title", "line_text": ""})
    check_document_keys(parsed)
    codes = [(t["table_code"], t["first_line"], t["last_line"], t["n_cells"]) for t in parsed.tables]
    assert codes == [("GK05", 20, 40, 2), ("GK06", 41, 50, 0), ("GK05#2", 60, 65, 1), ("GK07", 70, 80, 1)]
    kept = parsed.tables[0]["notes"]
    assert "continued under its title printed again at lines 31–40" in kept
    assert "also titled at lines 5–5 without rows of its own (no table rows found under the title)" in kept
    apart = [i for i in parsed.issues if i["table_code"] == "GK05#2"]
    assert len(apart) == 1 and apart[0]["line_no"] == 60 and "held back" in apart[0]["message"]


def test_a_parser_exception_quarantines_its_document_only(monkeypatch):
    from ingest.parse_report import parse_report_file
    from ingest.reader import report_from_bytes

    text = finance_report("示例市东湖区财政局").encode("utf-8")
    monkeypatch.setenv("FISCAL_FAULTS", "parse.raise:bad.txt")
    bad = parse_report_file(report_from_bytes(Path("bad.txt"), text))
    good = parse_report_file(report_from_bytes(Path("good.txt"), text))
    assert bad.document["status"] == "quarantined" and not bad.cells
    assert "the parser failed (InjectedFault" in bad.document["reason"]
    assert good.document["status"] == "parsed" and len(good.cells) > 100


def test_the_raw_layer_rejecting_one_documents_values_quarantines_that_document(tmp_path):
    from ingest import raw_layer
    from ingest.parse_report import parse_report_file
    from ingest.reader import report_from_bytes

    good = parse_report_file(report_from_bytes(Path("good.txt"), finance_report("示例市东湖区财政局").encode()))
    bad = parse_report_file(report_from_bytes(Path("bad.txt"), finance_report("示例市西湖区财政局").encode()))
    bad.cells[0]["row_number"] = 2**40  # a 行次 no integer column holds
    with raw_layer.connect(str(tmp_path / "raw.duckdb")) as con:
        raw_layer.load_outcomes(con, [good, bad])
        documents = dict(con.execute("select file_name, status from documents").fetchall())
        reason = con.execute("select reason from documents where file_name = 'bad.txt'").fetchone()[0]
        cells = dict(con.execute("select file_name, count(*) from cells group by 1").fetchall())
    assert documents == {"good.txt": "parsed", "bad.txt": "quarantined"}
    assert reason.startswith("bad.txt: the raw layer rejected its parse (ConversionException")
    assert cells == {"good.txt": len(good.cells)}


def finding(rule: str, table: str = "GK05", row_code: str | None = None, line: int = 10, **extra) -> dict:
    return {"finding_id": f"{rule}{row_code}{line}", "document_id": "d", "table_code": table, "side": None,
            "row_code": row_code, "row_label": "", "column_path": "合计", "line_no": line, "rule_id": rule,
            "message": rule, "severity": "error", "scope": "table", **extra}


def test_origin_is_the_reader_where_the_comparison_involves_a_row_it_could_not_read():
    from expectations.origin import assign_origin

    problems = pd.DataFrame([
        {"document_id": "d", "table_code": "GK05", "line_no": 40, "row_code": "2080505", "table_level": False},
        {"document_id": "d", "table_code": "GK03", "line_no": 7, "row_code": None, "table_level": False},
        {"document_id": "d", "table_code": "GK01", "line_no": 2, "row_code": None, "table_level": True},
    ])
    findings = pd.DataFrame([
        finding("hierarchy_rollup", row_code="20805", line=38),  # a child of 20805 was not read: reader
        finding("hierarchy_rollup", row_code="2010601", line=12),  # unrelated code: the source's own
        finding("row_total", row_code="2080505", line=40),  # its own row was not read whole: reader
        finding("row_total", row_code="2010601", line=12),  # another row: source
        finding("column_total", table="GK03", line=5),  # a row of unknown code in its table: reader
        finding("side_subtotal", table="GK01", line=9),  # the table itself could not be read: reader
        finding("unreadable_row", table="GK05", line=40),
        finding("income_by_source_reconciles", table="GK02", line=3),  # across tables, the document has problems
        finding("hierarchy_rollup", table="GK06", row_code="301", line=3),  # a clean table: source
    ])
    assert list(assign_origin(findings, problems)) == [
        "reader", "source", "reader", "source", "reader", "reader", "reader", "reader", "source"]
    assert set(assign_origin(findings, problems.iloc[:0])) == {"source", "reader"}  # unreadable_row stays reader


def test_finding_ids_are_unique_by_construction():
    from expectations.suite import unique_finding_ids

    frame = pd.DataFrame({"finding_id": ["a", "a", "a", "b"],
                          "message": ["income row has no label", "expenditure row has no label",
                                      "income row has no label", "x"]})
    ids = unique_finding_ids(frame)
    assert ids.is_unique and ids.iloc[3] == "b" and ids.iloc[2] == ids.iloc[0] + "-1"


def test_quarantine_scope_holds_rows_unless_their_table_is_held():
    from expectations.gate import QUARANTINE_SCOPE

    findings = pd.DataFrame([
        finding("unreadable_row", table="GK05", line=40, scope="row", origin="reader"),
        finding("unreadable_row", table="GK03", line=7, scope="row", origin="reader"),
        finding("column_total", table="GK03", line=5, origin="reader"),
        finding("hierarchy_rollup", table="GK03", row_code="205", line=6, origin="source"),
        {**finding("audit_failed", table=None, line=None, scope="document", origin="reader"), "document_id": "e"},
    ])
    findings["severity"], findings["waived"] = "error", False
    waived = {**finding("hierarchy_rollup", table="GK05", line=9, origin="source"), "severity": "error", "waived": True}
    warning = {**finding("column_total", table="GK06", line=3, origin="source"), "severity": "warning", "waived": False}
    findings = pd.concat([findings, pd.DataFrame([waived, warning])], ignore_index=True)  # neither holds back
    report_tables = pd.DataFrame({"content_hash": ["e", "f"], "table_code": ["GK01", "GK01"]})  # noqa: F841
    performance_tables = pd.DataFrame({"content_hash": ["e"], "table_code": ["PERF_DEPT_01"]})  # noqa: F841
    with duckdb.connect() as con:
        scope = con.sql(QUARANTINE_SCOPE.format(findings="findings", report_tables="report_tables",
                                                performance_tables="performance_tables")).df()
    got = {(r.document_id, r.table_code, None if pd.isna(r.line_no) else int(r.line_no), r.rule_ids, r.origin)
           for r in scope.itertuples()}
    assert got == {("d", "GK05", 40, "unreadable_row", "reader"),
                   ("d", "GK03", None, "column_total,hierarchy_rollup,unreadable_row", "source"),
                   ("e", "GK01", None, "audit_failed", "reader"), ("e", "PERF_DEPT_01", None, "audit_failed", "reader")}


def test_a_dbt_test_failing_on_two_documents_names_both(tmp_path):
    from orchestration.dbt_isolation import trace_failures
    from orchestration.warehouse import WarehousePaths

    paths = WarehousePaths(tmp_path).ensure()
    with duckdb.connect(str(paths.raw_db)) as raw:
        raw.execute("create table documents as select * from (values ('a', 'a.pdf'), ('b', 'b.pdf'), ('c', 'c.pdf')) "
                    "as t(content_hash, file_name)")
    with duckdb.connect(str(paths.build_db)) as build:
        build.execute("create schema marts")
        build.execute("create table marts.facts as select * from (values ('k1', 'a', 'GK01', 3, 1), "
                      "('k1', 'b', 'GK01', 3, 1), ('k2', 'c', 'GK02', 9, 2)) as t(fact_id, document_id, "
                      "source_table, source_line, source_page)")
    manifest = {"nodes": {
        "test.fiscal.unique_facts_fact_id": {
            "resource_type": "test", "name": "unique_facts_fact_id", "attached_node": "model.fiscal.facts",
            "column_name": "fact_id", "test_metadata": {"name": "unique", "kwargs": {"column_name": "fact_id"}},
            "depends_on": {"nodes": ["model.fiscal.facts"]}},
        "model.fiscal.facts": {"resource_type": "model", "schema": "marts", "name": "facts"}}}
    failed = [{"unique_id": "test.fiscal.unique_facts_fact_id", "status": "fail", "message": "Got 1 result",
               "compiled_code": "select fact_id as unique_field from marts.facts group by 1 having count(*) > 1"}]
    reasons = trace_failures(failed, manifest, paths)
    assert sorted(reasons) == ["a", "b"]
    assert reasons["a"].startswith("a.pdf: dbt test unique_facts_fact_id failed on 1 of its rows (GK01 line 3 p. 1); "
                                   "expected fact_id unique")


def test_a_failure_no_document_explains_fails_the_run(tmp_path):
    from orchestration.dbt_isolation import UntracedFailure, trace_failures
    from orchestration.warehouse import WarehousePaths

    paths = WarehousePaths(tmp_path).ensure()
    manifest = {"nodes": {"model.fiscal.facts": {"resource_type": "model", "schema": "marts", "name": "facts"}}}
    with pytest.raises(UntracedFailure, match="model.fiscal.facts error"):
        trace_failures([{"unique_id": "model.fiscal.facts", "status": "error", "message": "Binder Error"}],
                       manifest, paths)


def test_a_reader_killing_its_process_quarantines_only_that_file(tmp_path, monkeypatch):
    from ingest import raw_layer
    from ingest.inbox import POOL_THRESHOLD, parse_pending, register_inbox
    from ingest.sample_reports import generate_reports
    from ingest.store import RawFileStore

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    reports = list(generate_reports(POOL_THRESHOLD + 2, seed=5))
    for name, text in reports:
        (inbox / name).write_text(text, encoding="utf-8")
    victim = reports[3][0]
    monkeypatch.setenv("FISCAL_FAULTS", f"parse.crash:{victim}")  # the worker parsing it dies (SIGKILL)
    store = RawFileStore(tmp_path / "store")
    with raw_layer.connect(str(tmp_path / "raw.duckdb")) as con:
        register_inbox(inbox, store, con)
        parse_pending(con, store, workers=2)
        status = dict(con.execute("select file_name, status from documents").fetchall())
        reason = con.execute("select reason from documents where file_name = ?", [victim]).fetchone()[0]
    assert len(status) == len(reports) and status.pop(victim) == "quarantined"
    assert set(status.values()) == {"parsed"}
    assert reason.startswith(f"{victim}: the process reading it died")


class _Attempt:
    """A finished dbt call as build_isolated reads it."""

    def __init__(self, events: list[str], failed: list[dict]):
        self.events, self.failed, self.manifest = events, failed, {"nodes": {}}

    def stream(self):
        yield from self.events

    def is_successful(self) -> bool:
        return not self.failed

    def get_artifact(self, name: str) -> dict:
        return {"results": self.failed}

    def get_error(self) -> Exception:
        return RuntimeError("dbt failed")


def _out_of_memory(unique_id: str) -> dict:
    return {"unique_id": unique_id, "status": "error",
            "message": "Runtime Error in model x\n  Out of Memory Error: failed to pin block of size 256.0 KiB "
                       "(953.4 MiB/953.6 MiB used)"}


def test_a_build_out_of_duckdb_memory_is_built_again_one_node_at_a_time(tmp_path, monkeypatch):
    from orchestration import dbt_isolation
    from orchestration.warehouse import WarehousePaths

    calls, warnings = [], []
    outcomes = [_Attempt(["first"], [_out_of_memory("model.fiscal.int_performance_indicators_scored"),
                                     {"unique_id": "test.fiscal.x", "status": "skipped", "message": None}]),
                _Attempt(["second"], [])]
    monkeypatch.setattr(dbt_isolation, "dbt_call", lambda dbt, args, context, paths: (calls.append(args),
                                                                                       outcomes.pop(0))[1])
    log = type("Log", (), {"warning": lambda self, m: warnings.append(m), "error": lambda self, m: None})()
    events = list(dbt_isolation.build_isolated(None, None, ["build", "--full-refresh"], WarehousePaths(tmp_path),
                                               log=log))
    assert events == ["second"]  # the run that counts
    assert calls == [["build", "--full-refresh"], ["build", "--full-refresh", "--threads", "1"]]
    assert "model.fiscal.int_performance_indicators_scored" in warnings[0] and "one node at a time" in warnings[0]

    # out of memory on one thread too: the refresh fails (no document explains it), once
    calls.clear()
    outcomes[:] = [_Attempt([], [_out_of_memory("model.fiscal.a")]), _Attempt([], [_out_of_memory("model.fiscal.a")])]
    with pytest.raises(RuntimeError, match="dbt failed"):
        list(dbt_isolation.build_isolated(None, None, ["build"], WarehousePaths(tmp_path), log=log))
    assert calls == [["build"], ["build", "--threads", "1"]]


def test_a_waiver_matches_by_document_prefix_rule_table_row_and_column_first_in_file_order():
    from expectations.waivers import WAIVER_REASON, Waiver, waivers_frame

    doc = "0123456789abcdef"
    findings = pd.DataFrame([  # noqa: F841 (scanned by duckdb)
        finding("column_total", table="GK05", row_code="2010301", line=1),
        {**finding("column_total", table="GK05", line=2), "row_label": "一般公共服务支出"},
        finding("column_total", table="GK06", row_code="2010301", line=3),
        finding("hierarchy_rollup", table="GK05", row_code="2010301", line=4),
        {**finding("column_total", table="GK05", row_code="2010301", line=5), "column_path": "年初预算"},
    ]).assign(document_id=doc)
    waivers = waivers_frame([  # noqa: F841
        Waiver(doc[:8], "hierarchy_rollup", "too short a prefix", "a", "2026-01-01"),
        Waiver(doc[:12], "column_total", "first", "审核人", "2026-11-30", table="GK05", row_code="2010301",
               column="合计"),
        Waiver(doc, "column_total", "by label", "b", "2026-11-30", row_code="一般公共服务支出"),
        Waiver(doc, "column_total", "any row", "c", "2026-11-30", table="GK05"),
    ])
    with duckdb.connect() as con:
        reasons = [row[0] for row in con.sql(
            f"select {WAIVER_REASON.format(waivers='waivers')} as reason from findings as f order by line_no"
        ).fetchall()]
    assert reasons == ["first (审核人, 2026-11-30)", "by label (b, 2026-11-30)", None, None,
                       "any row (c, 2026-11-30)"]
