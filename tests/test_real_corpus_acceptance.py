"""The acceptance run of the real corpus: every seed and PDF of ../shared/corpus in ONE inbox through
`fiscal refresh`, measured as docs/CORPUS.md measures it (scripts/corpus_check.py): every document published
with its unit, year and kind; the figures read by eye off the pages published under their row, column and
page; no figure under another value; no source error where the printed arithmetic is consistent."""

from __future__ import annotations

import duckdb
import pytest

from tests.test_pdf_gold_figures import CORPUS, corpus_check

pytestmark = pytest.mark.e2e

# the documents' own inconsistencies (gold/README.md and the seeds), as (file, page, rule, printed, expected)
KNOWN_WARNINGS = {
    ("2017年省检察院部门预算.pdf", 22, "narrative_figure_change_rate", 129.97, 129.29),
    ("省法院2018年度部门预算公开.pdf", 19, "narrative_figure_change_rate", -5.95, -6.1),
    ("上海市普陀区财政局部门25年预算.pdf", 7, "narrative_figure_coded_amount", 887.36, 87.36),
    ("shanghai_putuo_czj_2024_juesuan.pdf", 21, "narrative_share", 71.73, 71.65),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    if not (CORPUS / "gold" / "pdf_figures.csv").exists():
        pytest.skip(f"real corpus not available at {CORPUS}")
    check = corpus_check()
    files = check.corpus_files(CORPUS)
    home = tmp_path_factory.mktemp("corpus") / "home"
    ok, reason = check.run_refresh(files, home)
    assert ok, reason
    meta, figures = check.read_gold(CORPUS)
    results = {r.file: r for r in check.measure(home, files, ok, reason, meta, figures)}
    con = duckdb.connect(str(home / "marts.duckdb"), read_only=True)
    yield results, con
    con.close()


def test_every_document_is_published_with_its_unit_year_and_kind(corpus):
    results, _ = corpus
    assert len(results) == 20 and all(r.status == "published" for r in results.values())
    gold_files = [r for r in results.values() if r.meta_ok]
    assert len(gold_files) == 12
    assert {r.file: r.meta_ok for r in gold_files if not all(r.meta_ok.values())} == {}


def test_the_figures_read_off_the_pages_are_published_under_their_row_and_column(corpus):
    results, _ = corpus
    total = sum(r.gold_total for r in results.values())
    published = sum(r.gold_published for r in results.values())
    assert total == 456 and published / total >= 0.98
    assert [w for r in results.values() for w in r.wrong] == []
    # the one figure left: the draft's unlabelled row (its row prints no label, so it is a reader issue)
    assert [m for r in results.values() for m in r.missing] == [
        "p18 2025年部门财政拨款收支预 | (unlabelled first row) | 预算数 = 18976.755146"]
    # the draft is superseded by its final; its figures are in the superseded marts
    draft = results["上海市普陀区万里街道办事处2025年部门预算_草稿.pdf"]
    assert draft.superseded_by == "上海市普陀区万里街道办事处2025年部门预算.pdf" and draft.gold_superseded == 38


def test_no_source_error_and_only_the_documents_own_inconsistencies_are_warned(corpus):
    _, con = corpus
    pdf_findings = con.execute(
        "select file_name, page_no, rule_id, severity, origin, actual, expected from dq_finding "
        "where file_name like '%.pdf' and severity in ('error', 'warning') and not waived").fetchall()
    assert [f for f in pdf_findings if f[4] == "source" and f[3] == "error"] == []
    warnings = {(f, p, rule, float(a), float(e)) for f, p, rule, severity, origin, a, e in pdf_findings
                if origin == "source" and severity == "warning"}
    assert warnings == KNOWN_WARNINGS
    # reader problems are named as such: the draft's unlabelled row, nothing else
    reader = con.execute("select file_name, page_no, rule_id from dq_finding where file_name like '%.pdf' "
                         "and origin = 'reader'").fetchall()
    assert reader == [("上海市普陀区万里街道办事处2025年部门预算_草稿.pdf", 18, "unreadable_row")] * 2


def test_split_reports_are_one_report_and_every_part_is_current(corpus):
    _, con = corpus
    pairs = con.execute(
        "select report_id, list(file_names order by file_names), bool_and(is_current) from report_version "
        "where report_id in (select report_id from report_version group by 1 having count(*) = 2) "
        "group by 1 order by 2").fetchall()
    parts = sorted(files for _, files, _ in pairs)
    assert parts == sorted([
        ["2017年度部门预算公开表.pdf", "江苏省政协办公厅2017年度部门预算.pdf"],
        ["上海市普陀区万里街道办事处2025年部门预算.pdf", "上海市普陀区万里街道办事处2025年部门预算_草稿.pdf"],
        ["江苏省委办公厅2018年度部门预算公开文件.pdf", "江苏省委办公厅2018年度部门预算公开表.pdf"],
        ["江苏省政协办公厅2019年度部门预算.pdf", "江苏省政协办公厅2019年预算公开表.pdf"]])
    current = {files[0]: all_current for _, files, all_current in pairs}
    assert current["上海市普陀区万里街道办事处2025年部门预算.pdf"] is False  # the draft is a superseded version
    assert sum(current.values()) == 3  # the three split reports: both parts current



def test_the_overview_has_income_and_expenditure_totals_for_every_real_budget_pdf(corpus):
    _, con = corpus
    budgets = con.execute(
        "select d.file_name, o.income_total_wan, o.expenditure_total_wan, o.grand_total_wan "
        "from dim_document d join mart_unit_year_overview o "
        "on d.unit_id = o.unit_id and d.fiscal_year = o.fiscal_year and o.phase_code = 'approved' "
        "where d.file_name like '%.pdf' and d.report_kind = 'budget' and d.is_current_version").fetchall()
    assert len({file for file, *_ in budgets}) >= 10
    assert [row for row in budgets if None in row[1:]] == []
