"""Fuzz refreshes: batches of mutants of every format (tests/fuzz/make_mutants.py) beside the bundled good
reports, through real refreshes on one home. Each refresh exits 0 without a traceback, the good reports are
published exactly as by a refresh without the mutants, and every mutant is named in dim_document: parsed,
or quarantined with its reason.
"""

from __future__ import annotations

import os
import shutil

import duckdb
import pytest

from tests.conftest import REPO
from tests.fuzz.make_mutants import make_mutants
from tests.test_inbox_poison import FACTS, GOOD, refresh

pytestmark = pytest.mark.e2e

# seed -> (formats, mutants): every mutation at least once (14 text; 4 PDF, 3 DOCX, 5 XLSX taken in turn);
# FISCAL_FUZZ_ROUNDS=N makes each batch N times as large (the nightly fuzz job runs more rounds than CI)
ROUNDS = max(1, int(os.environ.get("FISCAL_FUZZ_ROUNDS", "1")))
BATCHES = {
    1: (("text",), 14 * ROUNDS),
    2: (("pdf", "docx", "xlsx"), 15 * ROUNDS),
}


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory):
    base = tmp_path_factory.mktemp("fuzz")
    good_inbox = base / "good_inbox"
    good_inbox.mkdir()
    for name in GOOD:
        shutil.copy(REPO / "samples" / "inbox" / name, good_inbox / name)
    baseline = refresh(good_inbox, base / "good_home")
    assert baseline.returncode == 0, baseline.stdout + baseline.stderr
    with duckdb.connect(str(base / "good_home" / "marts.duckdb"), read_only=True) as con:
        good_facts = con.execute(FACTS.format(", ".join("?" * len(GOOD))), GOOD).fetchall()
    inbox = base / "inbox"
    shutil.copytree(good_inbox, inbox)
    runs = []
    for seed, (kinds, count) in BATCHES.items():  # one home: each batch is added to the inbox of the last
        mutants = make_mutants(base / f"batch_{seed}", count, seed=seed, kinds=kinds)
        for mutant in mutants:
            shutil.copy(base / f"batch_{seed}" / mutant.file_name, inbox / mutant.file_name)
        result = refresh(inbox, base / "home", FISCAL_PARSE_TIMEOUT="120")
        with duckdb.connect(str(base / "home" / "marts.duckdb"), read_only=True) as con:
            facts = con.execute(FACTS.format(", ".join("?" * len(GOOD))), GOOD).fetchall()
            documents = {name: (status, reason) for name, status, reason in
                         con.execute("select file_name, parse_status, parse_reason from dim_document").fetchall()}
        runs.append({"seed": seed, "mutants": mutants, "result": result, "facts": facts, "documents": documents})
    return {"good_facts": good_facts, "runs": runs}


def test_every_fuzz_refresh_exits_0_without_a_traceback(fuzzed):
    for run in fuzzed["runs"]:
        output = run["result"].stdout + run["result"].stderr
        assert run["result"].returncode == 0, f"batch {run['seed']}: {output[-3000:]}"
        assert "Traceback" not in output, f"batch {run['seed']}"


def test_the_good_reports_are_published_exactly_as_without_the_mutants(fuzzed):
    assert len(fuzzed["good_facts"]) > 400
    for run in fuzzed["runs"]:
        assert run["facts"] == fuzzed["good_facts"], f"batch {run['seed']}"


def test_every_mutant_is_named_parsed_or_quarantined_with_its_reason(fuzzed):
    for run in fuzzed["runs"]:
        for mutant in run["mutants"]:
            assert mutant.file_name in run["documents"], f"{mutant.file_name} appears nowhere"
            status, reason = run["documents"][mutant.file_name]
            assert status in ("parsed", "quarantined"), mutant
            if status == "quarantined":
                assert reason and reason.startswith(mutant.file_name + ": "), (mutant, reason)


def test_the_mutants_that_cannot_be_read_are_quarantined_and_the_readable_ones_parsed(fuzzed):
    batch = {run["seed"]: run for run in fuzzed["runs"]}
    binary = batch[2]["documents"]
    # a cut or damaged package, a PDF without its header's body: never read as a report
    for mutant in batch[2]["mutants"]:
        if mutant.mutation in ("p_header_only", "d_truncate", "d_drop_document", "x_truncate", "p_truncate"):
            assert binary[mutant.file_name][0] == "quarantined", mutant
        if mutant.mutation in ("x_stray", "x_hidden_copy", "x_formulas"):
            assert binary[mutant.file_name][0] == "parsed", mutant
    text = batch[1]["documents"]
    for mutant in batch[1]["mutants"]:
        if mutant.mutation in ("t_empty", "t_nul"):
            assert text[mutant.file_name][0] == "quarantined", mutant
        if mutant.mutation == "t_year_range":
            assert "year not certain" in (text[mutant.file_name][1] or ""), mutant
        if mutant.mutation in ("t_delete", "t_duplicate", "t_note", "t_gb18030", "t_twice"):
            assert text[mutant.file_name][0] == "parsed", mutant
