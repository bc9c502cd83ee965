"""Every table figure read by eye off the real PDFs' pages (../shared/corpus/gold/pdf_figures.csv) against
what the reader gets from the same page: the right row, column and page, and never another value under a
gold cell's row and column. The gold matching rules are scripts/corpus_check.py's, shared with
docs/CORPUS.md. Narrative (情况说明) figures are checked with the published marts elsewhere."""

from __future__ import annotations

import importlib.util
import re
import sys
from functools import cache
from pathlib import Path

import pytest

from ingest.parse_report import parse_report_file
from ingest.reader import load_report_file

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
NUMBERING = re.compile(r"^([一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|[0-9]+[、.])")
# gold figures a reader cannot publish: the draft's unlabelled row (its row is not printed, see the gold README)
UNPUBLISHABLE = {("上海市普陀区万里街道办事处2025年部门预算_草稿.pdf", 18, "18976.755146")}


@cache
def corpus_check():
    spec = importlib.util.spec_from_file_location("corpus_check", REPO / "scripts" / "corpus_check.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def gold_files() -> list[str]:
    if not (CORPUS / "gold" / "pdf_figures.csv").exists():
        return []
    _, figures = corpus_check().read_gold(CORPUS)
    return sorted(name for name, rows in figures.items() if any(r["table"] != "情况说明" for r in rows))


@pytest.mark.parametrize("file_name", gold_files() or ["(no corpus)"])
def test_every_gold_table_figure_is_read_under_its_row_and_column(file_name):
    if file_name == "(no corpus)":
        pytest.skip(f"real corpus not available at {CORPUS}")
    check = corpus_check()
    _, figures = check.read_gold(CORPUS)
    outcome = parse_report_file(load_report_file(CORPUS / "pdf" / file_name))
    facts = [{"source_page": c["page_no"], "amount_wan": c["amount_wan"], "classification_code": c["row_code"],
              "source_row_code": c["row_code"], "source_row_label": c["row_label"],
              "line_item": NUMBERING.sub("", c["row_label"]), "source_column": c["column_path"]}
             for c in outcome.cells if c["amount_wan"] is not None]
    result = check.DocumentResult(file=file_name, folder="pdf")
    gold = [g for g in figures[file_name] if g["table"] != "情况说明"
            and (file_name, g["page"], g["amount_wan"]) not in UNPUBLISHABLE]
    for figure in gold:
        check._check_figure(result, figure, facts, [])
    assert result.wrong == []
    assert result.missing == []
    assert result.gold_published == len(gold) > 0
