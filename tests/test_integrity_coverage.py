"""Catalog coverage on a real report: altering any single amount of seed 000 by 1.00 万元 raises an error
that names the altered cell's table (the issue's acceptance). The full sweep (515 of 515 cells) is run by
`python -m expectations.mutation_sweep`; here every 7th cell, which still spans every table."""

import pytest

from expectations.mutation_sweep import load_warehouse, sweep
from tests.conftest import SEED_000, seed_path
from tests.test_refresh_end_to_end import refresh_copies

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def seed_000(tmp_path_factory):
    home = refresh_copies(tmp_path_factory, [seed_path(SEED_000)], "seed000")
    return load_warehouse(home / "build" / "build.duckdb", home / "raw.duckdb")


def test_every_sampled_amount_altered_by_one_wan_yuan_breaks_a_rule_of_its_table(seed_000):
    amounts = seed_000.amounts
    money = amounts[amounts["file_name"].str.startswith("000") & amounts["amount_wan"].notna()]
    result = sweep(seed_000, "000", delta=1.0, every=7)
    assert len(money) == 515 and result.n_cells == 74
    assert result.tables == sorted(set(money["table_code"]))  # the sample spans every table
    assert result.missed.empty, result.missed.to_string()
    assert result.caught == 74


def test_a_decrease_is_caught_as_well(seed_000):
    result = sweep(seed_000, "000", delta=-1.0, every=29, offset=3)
    assert result.n_cells == 18 and result.missed.empty, result.missed.to_string()
