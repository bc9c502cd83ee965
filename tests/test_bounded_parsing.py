"""Issue 15 (part B), without a refresh: bounded parsing, values the raw layer cannot hold, XLSX oddities,
and years that are not certain."""

from __future__ import annotations

import io
import math
import time
from pathlib import Path

import duckdb
import pytest

from ingest import raw_layer
from ingest.inbox import parse_pending, pending_documents, register_inbox
from ingest.metadata import Candidate, choose, read_metadata
from ingest.parse_pool import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_S, ParseLimits, bounded_outcomes
from ingest.parse_report import ParseOutcome, parse_report_file
from ingest.reader import report_from_bytes
from ingest.report_resolution import InboxDocument, resolve
from ingest.sample_reports import east_lake_finance_bureau, render_final_accounts
from ingest.store import RawFileStore
from ingest.value_bounds import check_value_bounds
from tests.report_writers import to_xlsx

TEXT = render_final_accounts(east_lake_finance_bureau())


def parse(name: str, data: bytes) -> ParseOutcome:
    return parse_report_file(report_from_bytes(Path(name), data))


# ------------------------------------------------------------------ the worker pool


def test_limits_come_from_the_environment_with_defaults(monkeypatch):
    monkeypatch.delenv("FISCAL_PARSE_TIMEOUT", raising=False)
    monkeypatch.delenv("FISCAL_PARSE_MEMORY_MB", raising=False)
    assert ParseLimits.from_env() == ParseLimits(DEFAULT_TIMEOUT_S, DEFAULT_MEMORY_MB) == ParseLimits(300.0, 4096)
    monkeypatch.setenv("FISCAL_PARSE_TIMEOUT", "12.5")
    monkeypatch.setenv("FISCAL_PARSE_MEMORY_MB", "512")
    assert ParseLimits.from_env() == ParseLimits(12.5, 512)
    monkeypatch.setenv("FISCAL_PARSE_TIMEOUT", "soon")  # unreadable or not positive: the default
    monkeypatch.setenv("FISCAL_PARSE_MEMORY_MB", "-1")
    assert ParseLimits.from_env() == ParseLimits(300.0, 4096)


def test_the_workers_have_a_batch_more_scheduled_while_the_caller_loads_one(tmp_path, monkeypatch):
    """The refresh holds a batch of outcomes before loading it (slow): the workers must not run dry meanwhile."""
    from ingest import parse_pool
    from ingest.inbox import BATCH_SIZE, _outcomes

    scheduled = []

    class CountingPool(parse_pool.ProcessPool):
        def schedule(self, function, *args, **kwargs):
            scheduled.append(kwargs.get("args") or args)
            return super().schedule(function, *args, **kwargs)

    monkeypatch.setattr(parse_pool, "ProcessPool", CountingPool)
    jobs = []
    for k in range(BATCH_SIZE + 20):
        path = tmp_path / f"stored_{k}.txt"
        path.write_text(f"not a report {k}\n", encoding="utf-8")
        jobs.append((path, f"report_{k}.txt"))
    outcomes = _outcomes(jobs, workers=2)
    first = next(outcomes)
    assert first.document["file_name"] == "report_0.txt"
    assert len(scheduled) == parse_pool.WINDOW_PER_WORKER * 2 + BATCH_SIZE == 208
    assert [o.document["file_name"] for o in outcomes] == [f"report_{k}.txt" for k in range(1, BATCH_SIZE + 20)]
    assert len(scheduled) == BATCH_SIZE + 20


def test_a_caller_that_stops_does_not_wait_for_the_jobs_scheduled_ahead(tmp_path, monkeypatch):
    jobs = []
    for name in ("first.txt", "never_ends.txt", "second.txt"):
        path = tmp_path / f"stored_{name}"
        path.write_text(TEXT, encoding="utf-8")
        jobs.append((path, name))
    monkeypatch.setenv("FISCAL_FAULTS", "parse.hang:never_ends.txt")
    outcomes = bounded_outcomes(jobs, workers=1, limits=ParseLimits(timeout_s=120), ahead_of_use=10)
    started = time.monotonic()
    assert next(outcomes).document["file_name"] == "first.txt"
    outcomes.close()  # the refresh failed loading a batch: the hanging parse scheduled ahead is stopped
    assert time.monotonic() - started < 60


def test_a_file_past_its_time_or_memory_limit_is_quarantined_and_the_others_parsed(tmp_path, monkeypatch):
    jobs = []
    for name in ("first.txt", "never_ends.txt", "grows.txt", "dies.txt", "last.txt"):
        path = tmp_path / f"stored_{name}"
        path.write_text(TEXT + f"\n{name}\n", encoding="utf-8")
        jobs.append((path, name))
    monkeypatch.setenv("FISCAL_FAULTS", "parse.hang:never_ends.txt,parse.balloon:grows.txt,parse.crash:dies.txt")
    started = time.monotonic()
    outcomes = list(bounded_outcomes(jobs, workers=2, limits=ParseLimits(timeout_s=4, memory_mb=256)))
    elapsed = time.monotonic() - started
    documents = [(o.document["file_name"], o.document["status"], len(o.cells)) for o in outcomes]
    assert documents == [("first.txt", "parsed", 285), ("never_ends.txt", "quarantined", 0),
                         ("grows.txt", "quarantined", 0), ("dies.txt", "quarantined", 0),
                         ("last.txt", "parsed", 285)]
    reasons = {o.document["file_name"]: o.document["reason"] for o in outcomes}
    assert reasons["never_ends.txt"] == ("never_ends.txt: exceeds limits (time: not parsed within 4 s, "
                                         "FISCAL_PARSE_TIMEOUT); its worker was stopped, nothing was read "
                                         "[limits: 4 s, 256 MB]")
    assert reasons["grows.txt"] == ("grows.txt: exceeds limits (memory: the reader needed more than 256 MB, "
                                    "FISCAL_PARSE_MEMORY_MB); nothing was read [limits: 4 s, 256 MB]")
    assert reasons["dies.txt"].startswith("dies.txt: the process reading it died (exit code -9")
    assert elapsed < 60
    # provenance: the stored copy, under the name it arrived with
    assert outcomes[0].document["stored_path"] == str(jobs[0][0])


def test_a_file_stopped_by_a_limit_is_read_again_once_the_limits_change(tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "slow.txt").write_text(TEXT, encoding="utf-8")
    (inbox / "fine.txt").write_text(TEXT + "\n", encoding="utf-8")
    store = RawFileStore(tmp_path / "store")
    monkeypatch.setenv("FISCAL_PARSE_TIMEOUT", "3")
    monkeypatch.setenv("FISCAL_FAULTS", "parse.hang:slow.txt")  # this night the file does not finish in time
    with raw_layer.connect(str(tmp_path / "raw.duckdb")) as con:
        register_inbox(inbox, store, con)
        assert parse_pending(con, store, workers=2)["quarantined"] == 1

        def status() -> dict:
            return dict(con.execute("select file_name, status from documents").fetchall())

        assert status() == {"slow.txt": "quarantined", "fine.txt": "parsed"}
        monkeypatch.delenv("FISCAL_FAULTS")
        assert pending_documents(con, store) == []  # same limits: not tried again every night
        monkeypatch.setenv("FISCAL_PARSE_TIMEOUT", "30")  # a maintainer raises the limit
        assert [name for _, name in pending_documents(con, store)] == ["slow.txt"]
        assert parse_pending(con, store, workers=2)["parsed"] == 1
        assert status() == {"slow.txt": "parsed", "fine.txt": "parsed"}
        assert con.execute("select count(*) from documents").fetchone()[0] == 2  # replaced, not added
        assert pending_documents(con, store) == []


# ------------------------------------------------------------------ values the raw layer cannot hold


def test_amounts_and_row_numbers_out_of_range_become_issues_on_their_cells():
    outcome = parse("wide.txt", TEXT.replace("一、财政拨款收入\t1\t2,923.49",
                                             "一、财政拨款收入\t1\t123,456,789,012,345,678.00").encode())
    assert len(outcome.cells) == 284 and outcome.document["n_cells"] == 284
    issue = next(i for i in outcome.issues if "integer digits" in i["message"])
    assert (issue["table_code"], issue["line_no"]) == ("GK01", 18)
    assert issue["message"].startswith("cell '一、财政拨款收入' / '决算数': amount 123,456,789,012,345,678.00 is "
                                       "123456789012345680 万元, more than 14 integer digits")
    gk01 = next(t for t in outcome.tables if t["table_code"] == "GK01")
    assert gk01["n_cells"] == sum(1 for c in outcome.cells if c["table_code"] == "GK01")
    # and the raw layer takes the rest of the document
    con = duckdb.connect(":memory:")
    con.execute(raw_layer.DDL)
    raw_layer.load_outcomes(con, [outcome])
    assert con.execute("select status, n_cells from documents").fetchall() == [("parsed", 284)]


def test_each_value_beyond_its_column_is_named():
    cell = {"table_code": "GK01", "row_label": "合计", "column_path": "决算数", "value_text": "1", "amount": 1.0,
            "amount_wan": 1.0, "row_number": 1, "line_no": 5, "page_no": None, "position": 0, "column_number": 1}
    outcome = ParseOutcome(document={"content_hash": "h", "file_name": "f.txt", "status": "parsed", "n_cells": 4},
                           cells=[cell, {**cell, "row_number": 2**31}, {**cell, "amount": math.nan},
                                  {**cell, "amount_wan": -1e14, "value_text": "-100,000,000,000,000"}],
                           figures=[{"subject": "支出", "value": 1.0, "amount_wan": 1e20, "printed_text": "1e20",
                                     "line_no": 9, "page_no": None, "figure_no": 1, "reference_year": None}])
    check_value_bounds(outcome)
    assert outcome.cells == [cell] and outcome.figures == [] and outcome.document["n_cells"] == 1
    messages = [i["message"] for i in outcome.issues]
    assert "row_number 2147483648 is beyond the 32-bit integer range" in messages[0]
    assert "amount nan is not a finite number" in messages[1]
    assert "amount -100,000,000,000,000 is 100000000000000 万元, more than 14 integer digits" in messages[2]
    assert messages[3].startswith("narrative figure '支出': amount 1e20")


# ------------------------------------------------------------------ XLSX oddities


def workbook_bytes(change) -> bytes:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(TEXT)))
    change(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def facts(outcome: ParseOutcome) -> list[tuple]:
    return sorted((c["table_code"], c["row_label"], c["column_path"], c["amount"]) for c in outcome.cells)


def test_an_xlsx_with_a_stray_cell_at_xfd1048576_reads_as_without_it_and_quickly():
    clean = parse("clean.xlsx", to_xlsx(TEXT))
    started = time.monotonic()
    stray = parse("stray.xlsx", workbook_bytes(lambda wb: wb.active.__setitem__("XFD1048576", "x")))
    assert time.monotonic() - started < 20
    assert stray.document["status"] == "parsed" and facts(stray) == facts(clean) and len(clean.cells) == 285


def test_xlsx_formulas_without_cached_values_are_reader_issues_per_cell():
    def formulas(workbook) -> None:
        for row in workbook.active.iter_rows():
            if row[0].value == "本年收入合计":
                row[2].value = f"=SUM(C{row[0].row - 6}:C{row[0].row - 1})"

    outcome = parse("formulas.xlsx", workbook_bytes(formulas))
    flagged = [(i["table_code"], i["line_no"], i["message"]) for i in outcome.issues if "formula" in i["message"]]
    assert flagged == [
        ("GK01", 17, "expected an amount in column '决算数', found '=SUM(C11:C16)[formula_without_cached_value]'"),
        ("GK04", 74, "expected an amount in column '金额', found '=SUM(C68:C73)[formula_without_cached_value]'")]
    assert len(outcome.cells) == 283  # the two totals, nothing else, are missing, each with its issue


def test_a_cut_office_package_is_named_as_one():
    outcome = parse("cut.xlsx", to_xlsx(TEXT)[:2000])
    assert outcome.document["reason"].startswith("cut.xlsx: a ZIP package that is not a readable DOCX or XLSX")


# ------------------------------------------------------------------ years


def with_title(year_line: str, extra: str | None = None, year: int = 2015) -> list[str]:
    text = render_final_accounts(east_lake_finance_bureau(year)).replace(f"{year} 年度部门决算", year_line, 1)
    lines = text.split("\n")
    if extra is not None:
        lines.insert(1, extra)
    return lines


def test_a_note_line_naming_another_report_does_not_override_the_title():
    note_below_unit = with_title("2015 年度部门决算", "2024年度部门预算")
    note_over_title = with_title("2024年度部门预算\n2015 年度部门决算")
    for lines in (note_below_unit, note_over_title):
        metadata = read_metadata(lines, "report.txt")
        assert (metadata.fiscal_year, metadata.report_kind, metadata.year_source) == (2015, "final_accounts", "title")
        assert metadata.year_problem is None
        assert "year: 2015 (title, body) / 2024 (cover, note)" in metadata.conflicts
        notes = {(c.field, c.value) for c in metadata.candidates if c.source == "note"}
        assert notes == {("year", "2024"), ("kind", "budget")}


@pytest.mark.parametrize(("title", "problem"), [
    ("2015-2016 年度部门决算", "the title prints a range of years (2015-2016年), not one fiscal year"),
    ("2015至2016年度部门决算", "the title prints a range of years (2015至2016年), not one fiscal year"),
    ("2099 年度部门决算", "2099 (from the title) is later than next year"),
])
def test_a_year_range_or_a_far_year_is_a_problem(title, problem):
    metadata = read_metadata(with_title(title), "report.txt")
    assert metadata.year_problem.startswith(problem)
    assert any(c.startswith("year: " + problem) for c in metadata.conflicts)


def test_a_manifest_year_settles_an_uncertain_one():
    candidates = read_metadata(with_title("2015-2016 年度部门决算"), "report.txt").candidates
    settled = choose([*candidates, Candidate("year", "2015", "manifest", None, "manifest.csv:2")])
    assert (settled.fiscal_year, settled.year_problem) == (2015, None)


def test_an_uncertain_year_keeps_the_document_waiting_until_the_manifest_gives_it():
    candidates = read_metadata(with_title("2015-2016 年度部门决算"), "range.txt").candidates
    document = InboxDocument(content_hash="h1", file_name="range.txt", read_status="parsed", read_reason=None,
                             report_part="tables", inbox_paths=["/inbox/range.txt"], candidates=candidates)
    resolved, _ = resolve([document], [])
    row = resolved["h1"].row
    assert row["status"] == "quarantined"
    assert row["reason"] == ("range.txt: year not certain: the title prints a range of years (2015-2016年), not "
                             "one fiscal year; the document waits for a manifest.csv entry giving its year (or a "
                             "maintainer)")
    entry = {"manifest_path": "/inbox/manifest.csv", "line_no": 2, "file": "range.txt",
             "target_path": "/inbox/range.txt",
             "unit_name": None, "fiscal_year": 2016, "report_kind": None, "source_url": None, "problem": None,
             "read_at": 0}
    resolved, _ = resolve([document], [entry])
    assert (resolved["h1"].row["status"], resolved["h1"].row["fiscal_year"]) == ("parsed", 2016)


def test_two_years_in_the_title_that_nothing_decides_are_a_problem_but_several_in_the_body_are_not():
    undecided = choose([Candidate("year", "2015", "title", 1, "2015年度部门决算"),
                        Candidate("year", "2024", "title", 1, "2024年度部门决算")])
    assert undecided.year_problem == "the title names years 2015 and 2024"
    body = choose([Candidate("year", "2015", "body", 9, "2015年度 printed 3 times", 3),
                   Candidate("year", "2014", "body", 30, "2014年度 printed 1 times")])
    assert (body.fiscal_year, body.year_problem) == (2015, None)


def test_a_year_before_2000_read_from_the_document_is_a_problem_and_the_manifest_is_the_maintainers_word():
    from ingest.metadata import year_problem

    reading = {"file_name": [Candidate("year", "1999", "file_name", None, "1999年决算.txt")]}
    assert year_problem(1999, "file_name", reading) == "1999 (from the file_name) is before 2000"
    assert year_problem(1999, "manifest", {"manifest": [Candidate("year", "1999", "manifest", None, "m:2")]}) is None


def test_a_stored_copy_that_cannot_be_read_is_quarantined_by_its_hash(tmp_path):
    stored = tmp_path / ("ab" * 32 + ".txt")  # never written
    outcome = next(bounded_outcomes([(stored, "gone.txt")], workers=1, limits=ParseLimits(timeout_s=30)))
    assert (outcome.document["content_hash"], outcome.document["file_name"]) == ("ab" * 32, "gone.txt")
    assert outcome.document["status"] == "quarantined"
    assert outcome.document["reason"].startswith("gone.txt: the parse worker failed (FileNotFoundError")


def test_a_sparse_sheet_renders_its_merged_cells_and_rows_as_the_dense_one():
    from ingest.renderings.office import render_xlsx

    def sheet(stray: bool) -> bytes:
        def change(workbook) -> None:
            for row in workbook.active.iter_rows():
                if row[0].value == "收入":  # 公开01's 收入 header over its three columns
                    workbook.active.merge_cells(start_row=row[0].row, start_column=1, end_row=row[0].row,
                                                end_column=3)
            if stray:
                workbook.active["XFD1048576"] = "x"
        return workbook_bytes(change)

    dense, sparse = render_xlsx(sheet(False)).lines, render_xlsx(sheet(True)).lines
    assert any(line.startswith("收入\t收入\t收入\t支出") for line in dense)  # the merge spans its three slots
    # the same lines (the far column adds one empty cell at the end of each row), then the stray cell's own
    assert [line.rstrip("\t") for line in sparse[:-1]] == [line.rstrip("\t") for line in dense]
    assert sparse[-1].strip() == "x"
