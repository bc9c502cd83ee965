"""`fiscal samples` pairs: each unit-year publishes a 预算 and the 决算 that executes it; mart_budget_vs_final and
mart_unit_year_overview give, for every unit-year, the figures printed in the two reports."""

from __future__ import annotations

import duckdb
import pytest

from ingest.sample_reports import _tree, generate_accounts, generate_reports
from tests.conftest import fiscal

COUNT, SEED = 9, 11  # three units, each a 决算, a 预算 and a 绩效自评报告 of one year


def printed(report) -> dict[str, float]:
    """What a generated report prints per functional code in 公开03 / 公开05 (本年支出合计 = basic + project)."""
    return {code: round(basic + project, 2) for code, basic, project in _tree(report.lines)}


def test_samples_pair_each_budget_with_the_final_accounts_of_the_same_unit_and_year():
    reports = list(generate_accounts(COUNT, SEED))
    assert [kind for _, kind, _ in reports] == ["juesuan", "yusuan"] * 3
    assert list(generate_reports(COUNT, SEED)) == list(generate_reports(COUNT, SEED))  # deterministic
    for (_, _, final), (_, _, budget) in zip(reports[::2], reports[1::2], strict=True):
        assert (final.unit, final.year) == (budget.unit, budget.year)
        assert printed(final).keys() == printed(budget).keys()
        executed, approved = sum(printed(final).values()), sum(printed(budget).values())
        assert 0.6 * approved <= executed <= approved  # executed within its budget


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    inbox, home = tmp_path_factory.mktemp("pairs"), tmp_path_factory.mktemp("warehouse")
    made = fiscal("samples", "--out", str(inbox), "--count", str(COUNT), "--seed", str(SEED), home=home)
    assert made.returncode == 0, made.stderr
    result = fiscal("refresh", "--inbox", str(inbox), home=home)
    assert result.returncode == 0, result.stdout + result.stderr
    con = duckdb.connect(str(home / "marts.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.mark.e2e
def test_budget_vs_final_gives_approved_executed_and_rate_as_printed_in_the_two_reports(pairs):
    expected = {}
    for _, kind, report in generate_accounts(COUNT, SEED):
        for code, amount in printed(report).items():
            expected.setdefault((report.unit, report.year, code), {})[kind] = amount
    for scope in ("all_funds", "general_budget"):  # 公开03 and 公开05 print the same amounts in the samples
        rows = pairs.execute(
            "select unit_name, fiscal_year, classification_code, approved_wan::double, executed_wan::double, "
            "execution_rate_pct::double, classification_system, budget_source_line, final_source_line "
            "from mart_budget_vs_final where scope = ?", [scope]).fetchall()
        assert {(u, y, c): {"yusuan": a, "juesuan": e} for u, y, c, a, e, *_ in rows} == expected
        for _, _, code, approved, executed, rate, system, budget_line, final_line in rows:
            assert rate == round(100 * executed / approved, 2), code
            assert system == "functional" and budget_line > 0 and final_line > 0
    classes = pairs.execute("select count(*) from mart_budget_vs_final where scope = 'all_funds' "
                            "and classification_level = 1").fetchone()[0]
    assert classes == sum(1 for (_, _, code) in expected if len(code) == 3) > 3
    # 公开06: both reports print each economic class of the basic expenditure
    economic = pairs.execute("select count(*), count(approved_wan), count(executed_wan) from mart_budget_vs_final "
                             "where scope = 'general_budget_basic'").fetchone()
    assert economic[0] > 0 and economic[0] == economic[1] == economic[2]


@pytest.mark.e2e
def test_overview_has_the_budget_and_the_final_accounts_of_a_unit_year_as_two_rows(pairs):
    expected = {}
    for _, kind, report in generate_accounts(COUNT, SEED):
        spent = round(sum(line.basic + line.project for line in report.lines), 2)
        phase = "executed" if kind == "juesuan" else "approved"
        # the generated 总表 prints 本年收入合计 = spent + 12.50 and 本年支出合计 = spent
        expected[(report.unit, report.year, phase)] = (round(spent + 12.5, 2), spent, report.carry_begin)
    rows = pairs.execute(
        "select unit_name, fiscal_year, phase_code, income_total_wan::double, expenditure_total_wan::double, "
        "carry_over_begin_wan::double, income_total_label from mart_unit_year_overview").fetchall()
    assert {(u, y, p): (i, e, c) for u, y, p, i, e, c, _ in rows} == expected
    assert {label for *_, label in rows} == {"本年收入合计"}
