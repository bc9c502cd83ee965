"""Issue 15 (part B): nothing in the inbox can stop the nightly, vanish, or be filed under the wrong year.

Two real refreshes: the bundled good reports alone, then the same good reports beside one file of each case
the issue lists (an amount with 15+ integer digits, a 行次 above 2^31, two out-of-range amounts in one row,
the same tables twice in one text file and in a hidden XLSX sheet, an XLSX with a stray cell at XFD1048576,
XLSX formulas without cached values, a note line naming another year's report, a title year range, a year
after next year, a truncated newer copy of a good report, a newer copy with one digit changed, a file whose
reader never ends and one whose reader grows without end). The second refresh exits 0, the good reports are
published exactly as without the bad files, and every bad file is named with its reason.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from ingest.sample_reports import east_lake_finance_bureau, render_final_accounts
from tests.conftest import REPO
from tests.report_writers import to_xlsx

pytestmark = pytest.mark.e2e

GOOD = sorted(p.name for p in (REPO / "samples" / "inbox").iterdir())
FACTS = ("select d.file_name, f.source_table, f.side, f.source_line, f.source_row_code, f.source_row_label, "
         "f.source_column, f.amount_wan::double from fct_fiscal_amount f join dim_document d using (document_id) "
         "where d.file_name in ({}) order by all")


def refresh(inbox: Path, home: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "FISCAL_HOME": str(home), **env}
    return subprocess.run([sys.executable, "-m", "orchestration.cli", "refresh", "--inbox", str(inbox)], cwd=REPO,
                          env=environment, capture_output=True, text=True, timeout=900)


def report(unit: str, year: int = 2023) -> str:
    return render_final_accounts(replace(east_lake_finance_bureau(year), unit=unit))


def xlsx_with(text: str, change) -> bytes:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(text)))
    change(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def hidden_copy(workbook) -> None:
    workbook.copy_worksheet(workbook.active).sheet_state = "hidden"


def stray_cell(workbook) -> None:
    workbook.active["XFD1048576"] = "x"


def uncached_total(workbook) -> None:
    for row in workbook.active.iter_rows():
        if row[0].value == "本年收入合计":  # 公开01's income total (C) and 公开04's (C), as formulas only
            row[2].value = f"=SUM(C{row[0].row - 6}:C{row[0].row - 1})"


def poison_files() -> dict[str, bytes]:
    huge = report("示例市南湖区财政局").replace("一、财政拨款收入\t1\t2,923.49",
                                            "一、财政拨款收入\t1\t123,456,789,012,345,678.00")
    two_in_a_row = report("示例市北湖区财政局").replace(
        "一、一般公共服务支出\t10\t2,594.66\t2,594.66",
        "一、一般公共服务支出\t10\t9,999,999,999,999,999.00\t8,888,888,888,888,888.00")
    row_number = report("示例市中湖区财政局").replace("二、上级补助收入\t2\t0.00", "二、上级补助收入\t4294967296\t0.00")
    twice = report("示例市西湖区财政局")
    note = report("示例市北城区财政局", 2015).replace("2015 年度部门决算", "2024年度部门预算\n\n2015 年度部门决算", 1)
    education = (REPO / "samples" / "inbox" / "east_lake_education_bureau_2023_juesuan.txt").read_text(encoding="utf-8")
    finance = (REPO / "samples" / "inbox" / "east_lake_finance_bureau_2023_juesuan.txt").read_text(encoding="utf-8")
    one_digit = "201\t一般公共服务支出\t2,594.66\t1,292.58"  # 公开03: 基本支出 of 201, one digit changed below
    assert one_digit in finance
    return {
        "huge_amount.txt": huge.encode(),
        "two_bad_cells_in_a_row.txt": two_in_a_row.encode(),
        "row_number_overflow.txt": row_number.encode(),
        "same_tables_twice.txt": (twice + "\n" + twice).encode(),
        "hidden_sheet.xlsx": xlsx_with(report("示例市东城区财政局"), hidden_copy),
        "stray_cell.xlsx": xlsx_with(report("示例市西城区财政局"), stray_cell),
        "uncached_formulas.xlsx": xlsx_with(report("示例市南城区财政局"), uncached_total),
        "note_names_another_year.txt": note.encode(),
        "year_range.txt": report("示例市东郊区财政局", 2015).replace("2015 年度部门决算",
                                                                 "2015-2016 年度部门决算").encode(),
        "year_2099.txt": report("示例市西郊区财政局", 2099).encode(),
        "education_truncated_copy.txt": education[: len(education) // 2].encode(),
        "finance_one_digit_changed_copy.txt": finance.replace(one_digit, one_digit.replace("1,292", "1,392"), 1
                                                              ).encode(),
        "never_ends.txt": report("示例市南郊区财政局").encode(),
        "grows_without_end.txt": report("示例市北郊区财政局").encode(),
    }


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory):
    base = tmp_path_factory.mktemp("poison")
    good_inbox, inbox = base / "good_inbox", base / "inbox"
    good_inbox.mkdir()
    inbox.mkdir()
    for name in GOOD:
        shutil.copy(REPO / "samples" / "inbox" / name, good_inbox / name)
        shutil.copy(REPO / "samples" / "inbox" / name, inbox / name)
    for name, data in poison_files().items():
        (inbox / name).write_bytes(data)
    later = time.time() + 3600  # the truncated and the changed copies are the newer files
    os.utime(inbox / "education_truncated_copy.txt", (later, later))
    os.utime(inbox / "finance_one_digit_changed_copy.txt", (later, later))
    baseline = refresh(good_inbox, base / "good_home")
    started = time.monotonic()
    result = refresh(inbox, base / "home", FISCAL_PARSE_TIMEOUT="20", FISCAL_PARSE_MEMORY_MB="1024",
                     FISCAL_FAULTS="parse.hang:never_ends.txt,parse.balloon:grows_without_end.txt")
    elapsed = time.monotonic() - started
    with duckdb.connect(str(base / "good_home" / "marts.duckdb"), read_only=True) as good:
        good_facts = good.execute(FACTS.format(", ".join("?" * len(GOOD))), GOOD).fetchall()
    con = duckdb.connect(str(base / "home" / "marts.duckdb"), read_only=True)
    yield {"baseline": baseline, "result": result, "con": con, "good_facts": good_facts, "elapsed": elapsed}
    con.close()


def rows(con, sql, *params):
    return con.execute(sql, list(params)).fetchall()


def test_the_refresh_exits_0_and_the_good_reports_are_published_exactly_as_without_the_bad_files(poisoned):
    assert poisoned["baseline"].returncode == 0, poisoned["baseline"].stdout + poisoned["baseline"].stderr
    assert poisoned["result"].returncode == 0, poisoned["result"].stdout + poisoned["result"].stderr
    assert "Traceback" not in poisoned["result"].stdout + poisoned["result"].stderr
    facts = rows(poisoned["con"], FACTS.format(", ".join("?" * len(GOOD))), *GOOD)
    assert len(poisoned["good_facts"]) > 400 and facts == poisoned["good_facts"]


def test_every_file_is_named_in_dim_document(poisoned):
    names = {name for (name,) in rows(poisoned["con"], "select file_name from dim_document")}
    assert names == set(GOOD) | set(poison_files())


def test_a_reader_that_never_ends_or_grows_without_end_is_quarantined_past_its_limit(poisoned):
    reasons = dict(rows(poisoned["con"], "select file_name, parse_reason from dim_document "
                                         "where parse_status = 'quarantined'"))
    assert reasons["never_ends.txt"].startswith(
        "never_ends.txt: exceeds limits (time: not parsed within 20 s, FISCAL_PARSE_TIMEOUT)")
    assert reasons["grows_without_end.txt"].startswith(
        "grows_without_end.txt: exceeds limits (memory: the reader needed more than 1024 MB")
    assert poisoned["elapsed"] < 600  # the hung reader was stopped at its limit, not waited for


def test_amounts_beyond_the_raw_layer_are_reader_issues_on_their_cells(poisoned):
    con = poisoned["con"]
    status = dict(rows(con, "select file_name, parse_status from dim_document"))
    assert status["huge_amount.txt"] == status["two_bad_cells_in_a_row.txt"] == "parsed"
    assert status["row_number_overflow.txt"] == "parsed"
    found = rows(con, "select file_name, table_code, origin, message from dq_finding "
                      "where file_name in ('huge_amount.txt', 'two_bad_cells_in_a_row.txt') and message like "
                      "'%more than 14 integer digits%' order by file_name, message")
    assert [(f, t, o) for f, t, o, _ in found] == [
        ("huge_amount.txt", "GK01", "reader"),
        ("two_bad_cells_in_a_row.txt", "GK04", "reader"), ("two_bad_cells_in_a_row.txt", "GK04", "reader")]
    assert "amount 123,456,789,012,345,678.00" in found[0][3]
    # two issues on one row: two findings with distinct ids
    ids = rows(con, "select count(distinct finding_id), count(*) from dq_finding "
                    "where file_name = 'two_bad_cells_in_a_row.txt' and message like '%integer digits%'")
    assert ids == [(2, 2)]
    # the rest of the document is published: 公开02's income total of the unit with the huge cell
    total = rows(con, "select f.amount_wan::double from fct_fiscal_amount f join dim_document d "
                      "using (document_id) where d.file_name = 'huge_amount.txt' and f.source_table = 'GK02' "
                      "and f.source_row_label = '合计' and f.source_column = '本年收入合计'")
    assert total == [(2923.49,)]


def test_the_same_tables_twice_in_one_document_publish_once_and_hold_the_repeat(poisoned):
    con = poisoned["con"]
    for name in ("same_tables_twice.txt", "hidden_sheet.xlsx"):
        tables = rows(con, "select table_code, publication_status from dim_report_table t join dim_document d "
                           "using (document_id) where d.file_name = ? and table_code in ('GK01', 'GK01#2')", name)
        assert tables == [("GK01", "published"), ("GK01#2", "quarantined")], name
        income = rows(con, "select f.amount_wan::double from fct_fiscal_amount f join dim_document d "
                           "using (document_id) where d.file_name = ? and f.source_table = 'GK01' "
                           "and f.source_row_label = '一、财政拨款收入'", name)
        assert income == [(2923.49,)], name


def test_a_stray_far_cell_does_not_stop_the_sheet_and_its_report_publishes_in_full(poisoned):
    con = poisoned["con"]
    counts = dict(rows(con, "select d.file_name, count(*) from fct_fiscal_amount f join dim_document d "
                            "using (document_id) where d.file_name in ('stray_cell.xlsx', 'hidden_sheet.xlsx') "
                            "group by 1"))
    assert counts["stray_cell.xlsx"] == counts["hidden_sheet.xlsx"] > 250


def test_formulas_without_cached_values_are_flagged_per_cell(poisoned):
    found = rows(poisoned["con"], "select table_code, origin, message from dq_finding "
                                  "where file_name = 'uncached_formulas.xlsx' and message like '%formula%' "
                                  "order by table_code")
    assert [(t, o) for t, o, _ in found] == [("GK01", "reader"), ("GK04", "reader")]
    assert "=SUM(C11:C16)[formula_without_cached_value]" in found[0][2]


def test_the_title_decides_the_year_and_uncertain_years_wait_for_the_manifest(poisoned):
    con = poisoned["con"]
    documents = {name: rest for name, *rest in rows(
        con, "select file_name, parse_status, fiscal_year, report_kind, parse_reason, metadata_conflicts "
             "from dim_document")}
    assert documents["note_names_another_year.txt"][:3] == ["parsed", 2015, "final_accounts"]
    assert "2024 (cover, note)" in documents["note_names_another_year.txt"][4]
    status, _, _, reason, conflicts = documents["year_range.txt"]
    assert status == "quarantined" and "year not certain: the title prints a range of years (2015-2016年)" in reason
    assert "waits for a manifest.csv entry" in reason and "range of years" in conflicts
    status, _, _, reason, _ = documents["year_2099.txt"]
    assert status == "quarantined" and "2099 (from the title) is later than next year" in reason


def test_a_newer_copy_with_one_digit_changed_does_not_supersede_the_complete_report(poisoned):
    versions = rows(poisoned["con"], "select file_names, is_current, is_kept_out, reads_worse_reason from "
                                     "report_version where unit_name = '示例市东湖区财政局' order by version_number")
    assert [(f, c, k) for f, c, k, _ in versions] == [("finance_one_digit_changed_copy.txt", False, True),
                                                      ("east_lake_finance_bureau_2023_juesuan.txt", True, False)]
    assert versions[0][3].startswith("reads worse: GK03 held back by ")  # its own arithmetic no longer adds up
    assert "newer version not published" in poisoned["result"].stdout


def test_a_truncated_newer_copy_does_not_supersede_the_complete_report(poisoned):
    versions = rows(poisoned["con"], "select file_names, is_current, reads_worse_reason from report_version "
                                     "where unit_name like '示例市东湖区教育局%' order by version_number")
    assert [(f, c) for f, c, _ in versions] == [("education_truncated_copy.txt", False),
                                                ("east_lake_education_bureau_2023_juesuan.txt", True)]
    assert versions[0][2].startswith("reads worse: ")
