"""A document's unit, year and kind from every place they are printed (ingest/metadata.py), the manifest
(ingest/manifest.py), split reports and drafts (ingest/report_resolution.py, dbt int_report_versions), and
the real PDFs' gold meta rows."""

from __future__ import annotations

import csv
import os
import shutil
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingest import raw_layer
from ingest.inbox import parse_pending, register_inbox
from ingest.manifest import read_manifest
from ingest.metadata import choose, file_name_candidates, read_metadata
from ingest.report_resolution import InboxDocument, resolve, units_match
from ingest.sample_reports import east_lake_finance_bureau, render_budget
from ingest.store import RawFileStore
from tests.conftest import REPO, fiscal

CORPUS = REPO.parent / "shared" / "corpus"
GOLD = CORPUS / "gold" / "pdf_figures.csv"


def lines(text: str) -> list[str]:
    return text.strip("\n").split("\n")


# ---------------------------------------------------------------- one document


def test_a_title_wrapped_over_lines_gives_the_whole_unit_name():
    meta = read_metadata(lines("示例市东湖区规划和自然\n资源局\n2025年部门预算\n目 录\n一、部门主要职能"))
    assert (meta.unit_name, meta.unit_source) == ("示例市东湖区规划和自然资源局", "title")
    assert (meta.fiscal_year, meta.report_kind) == (2025, "budget")
    numbered = read_metadata(lines("示财预〔2019〕12号\n示例省政协办公厅2019年度部门预算\n目录"))
    assert (numbered.unit_name, numbered.fiscal_year) == ("示例省政协办公厅", 2019)
    party = read_metadata(lines("中共示例市东湖区委\n社会工作部\n2025年部门预算\n目录"))
    assert party.unit_name == "中共示例市东湖区委社会工作部"


def test_money_and_measure_captions_name_no_unit_and_marks_after_a_name_are_dropped():
    """单位：人民币万元 / 单位：元（精确到分）/ 单位：台（套） are the table's units, never the organisation's name:
    read as one they would make two departments' reports one report."""
    text = "\n".join(["2018年度示例省高级人民法院收支预算总表", "单位：人民币万元", "项目\t金额", "合计\t1.00",
                     "2018年度示例省高级人民法院收入预算总表", "单位：元（精确到分）", "项目\t金额", "合计\t1.00",
                     "资产配置表", "单位：台（套）"])
    meta = read_metadata(lines(text))
    assert (meta.unit_name, meta.unit_source) == ("示例省高级人民法院", "table_title")
    stamped = read_metadata(lines("单位名称：示例市东湖区财政局（盖章）\n2025年部门预算\n目录"))
    assert stamped.unit_name == "示例市东湖区财政局"
    continued = read_metadata(lines("编制部门：示例市东湖区财政局（续表）\n2025年部门预算\n目录"))
    assert continued.unit_name == "示例市东湖区财政局"


def test_a_draft_is_marked_by_a_standalone_or_bracketed_mark_not_by_prose():
    final = read_metadata(lines("示例市东湖区规划局\n2025年部门预算\n一、部门主要职能\n"
                                "负责组织编制区国土空间总体规划，完成分区规划初稿"))
    assert not final.is_draft
    draft = read_metadata(lines("示例市东湖区规划局\n2025年部门预算\n（征求意见稿）\n目录"))
    assert draft.is_draft


def test_a_title_with_the_year_first_and_the_unit_inside():
    meta = read_metadata(lines("2018年度示例省高级\n人民法院预算公开\n2018年2月24日\n目 录"))
    assert (meta.unit_name, meta.fiscal_year, meta.report_kind) == ("示例省高级人民法院", 2018, "budget")


def test_a_region_title_names_no_unit_and_the_caption_does():
    text = "示例市东湖区2025年区级部门预算\n预算主管部门：示例市东湖区财政局\n目 录\n一、部门主要职能"
    meta = read_metadata(lines(text))
    assert (meta.unit_name, meta.unit_source) == ("示例市东湖区财政局", "caption")
    assert (meta.fiscal_year, meta.year_source, meta.report_kind) == (2025, "title", "budget")


def test_a_cover_title_wrapped_before_its_kind_is_joined_and_a_printer_line_is_not_a_name():
    # the title of a table attachment: year on one line, 部门预算公开报表 on the next (read as 决算 before)
    text = ("示例省2018年度\n省级部门预算公开报表\n部门:中共示例省委办公厅\n示例省财政厅印制\n目 录\n"
            "收支预算总表部门：中共示例省委办公厅单位：万元\n收入\t\t支出")
    meta = read_metadata(lines(text))
    assert (meta.unit_name, meta.fiscal_year, meta.report_kind) == ("中共示例省委办公厅", 2018, "budget")
    assert meta.kind_source == "title"


def test_captions_in_every_form_and_never_a_money_unit():
    merged = read_metadata(lines("表一\n收支预算总表部门：示例省政协办公厅单位：万元\n收入\t金额"))
    assert (merged.unit_name, merged.unit_source) == ("示例省政协办公厅", "caption")
    spaced = read_metadata(lines("2025年部门收入预算总表\n编制部门：示例市东湖区财政局    单位：元\n项目\t合计"))
    assert spaced.unit_name == "示例市东湖区财政局"
    in_cells = read_metadata(lines("收支预算总表\n编制单位：\t示例市财政局\t单位：元\n项目\t合计"))
    assert in_cells.unit_name == "示例市财政局"
    only_money = read_metadata(lines("收支预算总表\n单位：万元\n项目\t合计"))
    assert only_money.unit_name is None


def test_a_cover_caption_whose_name_wraps_is_joined():
    text = "示例市东湖区2025年区级部门预算\n预算主管部门：中共示例市东湖区委\n社会工作部\n目 录\n一、部门主要职能"
    assert read_metadata(lines(text)).unit_name == "中共示例市东湖区委社会工作部"
    table = "2025年部门收入预算总表\n编制部门：示例市东湖区规划和自然\n资源局  单位：元\n项目\t合计\n"
    assert read_metadata(lines(table * 2)).unit_name == "示例市东湖区规划和自然资源局"
    # a heading after the wrapped line means it was not the name's end
    text = "预算主管部门：示例市东湖区财政局\n部门主要职能\n负责全区财政收支管理，拟订财政政策。"
    assert read_metadata(lines(text)).unit_name == "示例市东湖区财政局"


def test_a_name_cut_where_it_wraps_is_replaced_by_the_reading_that_goes_on():
    text = "示例市东湖区2025年区级部门预算\n预算主管部门：示例市东湖区规划和自然\n\n目录\n" \
           "2025年部门收入预算总表\n编制部门：示例市东湖区规划和自然资源局 单位：元\n项目\t合计\n" \
           "2025年部门支出预算总表\n编制部门：示例市东湖区规划和自然资源局 单位：元\n项目\t合计"
    meta = read_metadata(lines(text))
    assert meta.unit_name == "示例市东湖区规划和自然资源局"


def test_the_unit_inside_table_titles_when_no_caption_prints_it():
    text = ("目 录\n一、2018年度示例省高级人民法院收支预算总表\n收入\t金额\t支出\t金额\n"
            "二、2018年度示例省高级人民法院收入预算总表\n项目\t合计\n"
            "十、2018年度示例省高级人民法院政府性基金预算财政拨款支出预算表\n项目\t合计")
    meta = read_metadata(lines(text))
    assert (meta.unit_name, meta.unit_source) == ("示例省高级人民法院", "table_title")
    assert (meta.fiscal_year, meta.year_source, meta.report_kind) == (2018, "table_title", "budget")
    # generic words before a table's name (部门, 预算单位, 一般公共预算) are not a unit
    generic = read_metadata(lines("2025年部门财务收支预算总表\n项目\t合计\n2025年预算单位收入预算总表\n项目\t合计\n"
                                  "一般公共预算机关运行经费支出预算表\n项目\t合计\n一般公共预算机关运行经费支出预算表"))
    assert generic.unit_name is None


def test_a_final_accounts_table_title_is_read_by_its_last_kind_word():
    meta = read_metadata(lines("一般公共预算财政拨款支出决算表\n部门：示例市东湖区财政局\n项目\t决算数"))
    assert (meta.report_kind, meta.kind_source) == ("final_accounts", "table_title")


def test_the_file_name_when_the_document_prints_nothing():
    assert {(c.field, c.value) for c in file_name_candidates("2017年示例省检察院部门预算.pdf")} == {
        ("unit", "示例省检察院"), ("year", "2017"), ("kind", "budget")}
    assert {(c.field, c.value) for c in file_name_candidates("示例市财政局部门25年预算.pdf")} == {
        ("unit", "示例市财政局"), ("year", "2025"), ("kind", "budget")}
    assert {(c.field, c.value) for c in file_name_candidates("shilishi_czj_2024_juesuan.pdf")} == {
        ("year", "2024"), ("kind", "final_accounts")}
    # a two-digit year only before 年 and a report word, and never a year after next
    assert not [c for c in file_name_candidates("示例市财政局99年预算.pdf") if c.field == "year"]
    assert not [c for c in file_name_candidates("预算表25.pdf") if c.field == "year"]
    table_only = read_metadata(lines("收支预算总表部门：示例省政协办公厅单位：万元\n收入\t金额"),
                               "2017年度部门预算公开表.pdf")
    assert (table_only.fiscal_year, table_only.year_source) == (2017, "file_name")
    assert table_only.unit_source == "caption"


def test_the_printed_year_wins_over_the_file_name_and_the_disagreement_is_kept():
    meta = read_metadata(lines("示例市东湖区财政局\n2024年度部门决算\n目录"), "示例市东湖区财政局2023年决算.pdf")
    assert (meta.fiscal_year, meta.year_source) == (2024, "title")
    assert "year: 2024 (title, cover, body) / 2023 (file_name)" in meta.conflicts


def test_drafts_are_marked_by_title_cover_or_file_name_never_by_a_citation():
    marked = read_metadata(lines("示例市东湖区财政局\n（征求意见稿）\n2025年部门预算\n目录"))
    assert (marked.is_draft, marked.draft_source, marked.unit_name) == (True, "title", "示例市东湖区财政局")
    assert read_metadata(lines("示例市东湖区财政局\n2025年部门预算"),
                         "示例市东湖区财政局2025年部门预算_草稿.pdf").is_draft
    cited = read_metadata(lines("示例市东湖区财政局\n2025年部门预算\n目录\n" + "正文。\n" * 50
                                + "依据《关于做好预算工作的通知（征求意见稿）》，编制本预算。"))
    assert not cited.is_draft


# ---------------------------------------------------------------- across the inbox


def document(content_hash: str, text: str, file_name: str, part: str, folder: str = "/inbox") -> InboxDocument:
    meta = read_metadata(lines(text), file_name)
    return InboxDocument(content_hash=content_hash, file_name=file_name, read_status="parsed", read_reason=None,
                         report_part=part, inbox_paths=[f"{folder}/{file_name}"], candidates=meta.candidates)


NARRATIVE = "示例市委办公厅2023年度部门预算公开\n目 录\n第一部分 部门概况\n一、主要职能"
ATTACHMENT = ("收支预算总表部门：中共示例市委办公厅单位：万元\n收入\t金额\n"
              "收入预算总表部门：中共示例市委办公厅单位：万元")


def test_a_split_report_is_one_report_and_the_attachment_takes_its_companion_year():
    narrative = document("n", NARRATIVE, "示例市委办公厅部门预算公开文件.pdf", "narrative")
    attachment = document("t", ATTACHMENT, "部门预算公开表.pdf", "tables")
    assert choose(attachment.candidates).fiscal_year is None  # printed nowhere in the attachment
    resolved, _ = resolve([narrative, attachment], [])
    n, t = resolved["n"].row, resolved["t"].row
    assert (t["fiscal_year"], t["year_source"], t["status"]) == (2023, "companion", "parsed")
    assert n["report_id"] == t["report_id"] is not None
    assert (n["unit_name"], t["unit_name"]) == ("示例市委办公厅", "中共示例市委办公厅")  # each as printed
    assert n["report_unit_name"] == t["report_unit_name"] == "中共示例市委办公厅"
    assert resolved["n"].companions == ["t"] and resolved["t"].companions == ["n"]


def test_companions_only_in_one_folder_and_never_a_subordinate_unit():
    narrative = document("n", NARRATIVE, "文件.pdf", "narrative", folder="/inbox/a")
    elsewhere = document("t", ATTACHMENT, "公开表.pdf", "tables", folder="/inbox/b")
    resolved, _ = resolve([narrative, elsewhere], [])
    assert resolved["t"].row["fiscal_year"] is None and resolved["t"].row["status"] == "quarantined"
    assert "no fiscal year could be read" in resolved["t"].row["reason"]
    assert "公开表.pdf" in resolved["t"].row["reason"]
    assert units_match("示例市财政局", "示例市财政局机关服务中心") is None  # a suffix makes another unit
    assert units_match("财政局", "示例市东湖区财政局") == 1  # a region added before it does not
    parent = document("n", "示例市财政局2023年度部门预算\n目录", "文件.pdf", "narrative")
    subordinate = document("s", "收支预算总表部门：示例市财政局机关服务中心单位：万元\n收入\t金额", "表.pdf", "tables")
    assert resolve([parent, subordinate], [])[0]["s"].row["report_id"] is None


def test_two_equally_good_companions_link_none():
    narrative = document("n", NARRATIVE, "文件.pdf", "narrative")
    one = document("t1", ATTACHMENT, "表一.pdf", "tables")
    two = document("t2", ATTACHMENT + "\n收支预算总表", "表二.pdf", "tables")
    resolved, _ = resolve([narrative, one, two], [])
    assert resolved["n"].companions == [] and resolved["t1"].row["fiscal_year"] is None


def test_a_manifest_row_overrides_what_was_read_and_keeps_the_disagreement(tmp_path):
    (tmp_path / "manifest.csv").write_text(
        "file,unit,year,kind,source_url\n"
        "部门预算公开表.pdf,中共示例市委办公厅,2024,budget,https://example.org/a.pdf\n"
        "missing.pdf,示例市财政局,2023,决算,https://example.org/b.pdf\n"
        "文件.pdf,,二〇二三,annual,\n", encoding="utf-8")
    entries = read_manifest(tmp_path / "manifest.csv", datetime(2026, 1, 1))
    assert [e["problem"] for e in entries] == [None, None, "year '二〇二三' is not a four-digit year; "
                                                           "kind 'annual' is not budget, final_accounts or performance"]
    assert entries[1]["report_kind"] == "final_accounts"
    folder = str(tmp_path)
    printed_2023 = ATTACHMENT + "\n2023年政府采购预算表\n项目\t金额"
    attachment = document("t", printed_2023, "部门预算公开表.pdf", "tables", folder)
    resolved, matched = resolve([attachment], entries)
    row = resolved["t"].row
    assert (row["fiscal_year"], row["year_source"], row["source_url"]) == (2024, "manifest", "https://example.org/a.pdf")
    assert "year: 2024 (manifest) / 2023 (table_title, cover)" in row["metadata_conflicts"]
    problems = {e["file"]: e["problem"] for e in matched}
    assert problems["missing.pdf"] == "no file 'missing.pdf' in the inbox"
    assert {e["file"]: e["content_hash"] for e in matched}["部门预算公开表.pdf"] == "t"


def ingest(inbox: Path, home: Path) -> dict[str, tuple]:
    """Register and parse an inbox into a raw layer (no dbt): each file's status, year, source, parsed_at."""
    with raw_layer.connect(str(home / "raw.duckdb")) as con:
        register_inbox(inbox, RawFileStore(home / "store"), con)
        parse_pending(con, RawFileStore(home / "store"), workers=1)
        rows = con.execute("select file_name, status, fiscal_year, year_source, parsed_at from documents").fetchall()
    return {row[0]: row[1:] for row in rows}


def test_an_attachment_held_for_its_year_is_released_when_its_companion_arrives(tmp_path):
    inbox, home = tmp_path / "inbox", tmp_path / "raw"
    inbox.mkdir()
    home.mkdir()
    office = render_budget(replace(east_lake_finance_bureau(2023), unit="中共示例市委办公厅")).split("\n")
    attachment = "\n".join(line for line in office if line != "中共示例市委办公厅" and "2023" not in line)
    (inbox / "部门预算公开表.txt").write_text(attachment, encoding="utf-8")
    alone = ingest(inbox, home)["部门预算公开表.txt"]
    assert alone[:2] == ("quarantined", None)
    (inbox / "示例市委办公厅2023年度部门预算公开文件.txt").write_text(NARRATIVE, encoding="utf-8")
    joined = ingest(inbox, home)["部门预算公开表.txt"]
    assert joined[:3] == ("parsed", 2023, "companion")
    assert joined[3] > alone[3]  # a new parsed_at: the incremental models and the audit take it again
    (inbox / "manifest.csv").write_text("file,unit,year,kind,source_url\ngone.pdf,,2023,,\n", encoding="utf-8")
    assert ingest(inbox, home)["部门预算公开表.txt"] == joined  # nothing changed: nothing rewritten
    assert "manifest.csv" not in ingest(inbox, home)  # read on every refresh, never a document
    with duckdb.connect(str(home / "raw.duckdb"), read_only=True) as con:
        assert con.execute("select file, problem, content_hash from manifest_entries").fetchall() == [
            ("gone.pdf", None, None)]  # the mart says 'no file', the raw row stays as read


def test_a_held_document_stays_quarantined_through_every_resolution(tmp_path):
    inbox, home = tmp_path / "inbox", tmp_path / "raw"
    inbox.mkdir()
    home.mkdir()
    (inbox / "finance.txt").write_text(render_budget(east_lake_finance_bureau(2023)), encoding="utf-8")
    assert ingest(inbox, home)["finance.txt"][0] == "parsed"
    with raw_layer.connect(str(home / "raw.duckdb")) as con:
        content_hash = con.execute("select content_hash from documents").fetchone()[0]
        raw_layer.hold_documents(con, {content_hash: "finance.txt: a key test failed on its rows"}, "inputs")
    held = ingest(inbox, home)["finance.txt"]  # the next refresh resolves every document again
    assert held[:3] == ("quarantined", 2023, "title")


# ---------------------------------------------------------------- the real PDFs (../shared/corpus)


@pytest.fixture(scope="module")
def real_pdfs(tmp_path_factory):
    if not GOLD.exists():
        pytest.skip(f"real corpus not available at {CORPUS}")
    inbox = tmp_path_factory.mktemp("pdf_inbox")
    for pdf in (CORPUS / "pdf").glob("*.pdf"):
        shutil.copy(pdf, inbox / pdf.name)
    home = tmp_path_factory.mktemp("pdf_raw")
    con = raw_layer.connect(str(home / "raw.duckdb"))
    register_inbox(inbox, RawFileStore(home / "store"), con)
    parse_pending(con, RawFileStore(home / "store"), workers=2)
    names = ["file_name", "unit_name", "fiscal_year", "report_kind", "is_draft", "report_id", "report_unit_name",
             "status"]
    rows = con.execute(f"select {', '.join(names)} from documents").fetchall()
    con.close()
    return {row[0]: dict(zip(names, row, strict=True)) for row in rows}


def gold_meta() -> dict[str, dict[str, str]]:
    meta: dict[str, dict[str, str]] = {}
    with open(GOLD, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["kind"] == "meta":
                meta.setdefault(row["file"], {})[row["row_label"]] = row["note"]
    return meta


def test_every_gold_pdf_has_its_unit_year_and_kind(real_pdfs):
    gold = gold_meta()
    assert len(gold) == 12
    for file, meta in gold.items():
        document = real_pdfs[file]
        kind = "budget" if meta["report_kind"].startswith("预算") else "final_accounts"
        assert (document["unit_name"], str(document["fiscal_year"]), document["report_kind"]) == (
            meta["unit"].split(" (")[0], meta["year"], kind), file


def test_real_split_reports_and_the_draft(real_pdfs):
    pairs = [("江苏省委办公厅2018年度部门预算公开文件.pdf", "江苏省委办公厅2018年度部门预算公开表.pdf"),
             ("江苏省政协办公厅2019年度部门预算.pdf", "江苏省政协办公厅2019年预算公开表.pdf"),
             ("江苏省政协办公厅2017年度部门预算.pdf", "2017年度部门预算公开表.pdf")]
    for narrative, attachment in pairs:
        assert real_pdfs[narrative]["report_id"] == real_pdfs[attachment]["report_id"] is not None
    assert real_pdfs["江苏省委办公厅2018年度部门预算公开文件.pdf"]["report_unit_name"] == "中共江苏省委办公厅"
    draft = real_pdfs["上海市普陀区万里街道办事处2025年部门预算_草稿.pdf"]
    final = real_pdfs["上海市普陀区万里街道办事处2025年部门预算.pdf"]
    assert draft["is_draft"] and not final["is_draft"] and draft["report_id"] == final["report_id"]
    assert len({d["report_id"] for d in real_pdfs.values()}) == 11  # 15 files: 3 split reports, 1 draft
    assert {d["unit_name"] for d in real_pdfs.values()} >= {"江苏省人大常委会办公厅", "上海市普陀区财政局",
                                                           "上海市普陀区人民政府万里街道办事处"}


# ---------------------------------------------------------------- through a refresh


def test_refresh_joins_a_split_report_keeps_the_final_current_and_records_the_manifest(tmp_path):
    inbox, home = tmp_path / "inbox", tmp_path / "warehouse"
    inbox.mkdir()
    final = render_budget(east_lake_finance_bureau(2025))
    (inbox / "东湖区财政局2025年部门预算.txt").write_text(final, encoding="utf-8")
    draft = inbox / "东湖区财政局2025年部门预算_草稿.txt"
    draft.write_text(final + "\n附：本稿待审定。\n", encoding="utf-8")
    os.utime(draft, (2_000_000_000, 2_000_000_000))  # the draft is the newer file: still not current
    office = render_budget(replace(east_lake_finance_bureau(2023), unit="中共示例市委办公厅")).split("\n")
    attachment = "\n".join(line for line in office if line != "中共示例市委办公厅" and "2023" not in line)
    (inbox / "部门预算公开表.txt").write_text(attachment, encoding="utf-8")
    (inbox / "示例市委办公厅部门预算公开文件.txt").write_text(
        "示例市委办公厅2023年度部门预算公开\n\n目 录\n\n第一部分 部门概况\n\n一、主要职能\n\n负责市委日常文书处理。\n",
        encoding="utf-8")
    (inbox / "manifest.csv").write_text(
        "file,unit,year,kind,source_url\n东湖区财政局2025年部门预算.txt,,,budget,https://example.org/final.pdf\n"
        "gone.pdf,示例市东湖区财政局,2025,budget,\n", encoding="utf-8")
    result = fiscal("refresh", "--inbox", str(inbox), home=home)
    assert result.returncode == 0, result.stdout + result.stderr
    with duckdb.connect(str(home / "marts.duckdb"), read_only=True) as con:
        docs = {row[0]: row[1:] for row in con.execute(
            "select file_name, parse_status, fiscal_year, year_source, report_id, is_draft, is_current_version, "
            "source_url from dim_document").fetchall()}
        assert "manifest.csv" not in docs
        table = docs["部门预算公开表.txt"]
        narrative = docs["示例市委办公厅部门预算公开文件.txt"]
        assert table[:3] == ("parsed", 2023, "companion") and table[5]
        assert narrative[3] == table[3]  # one report id: facts and narrative join on it
        assert con.execute("select count(*), min(fiscal_year), max(fiscal_year) from fct_fiscal_amount "
                           "where source_file = '部门预算公开表.txt'").fetchone()[1:] == (2023, 2023)
        final_row, draft_row = docs["东湖区财政局2025年部门预算.txt"], docs["东湖区财政局2025年部门预算_草稿.txt"]
        assert final_row[3] == draft_row[3] and (final_row[4], draft_row[4]) == (False, True)
        assert (final_row[5], draft_row[5]) == (True, False)
        assert final_row[6] == "https://example.org/final.pdf"
        versions = con.execute("select is_draft, version_number, is_current from report_version "
                               "where report_id = ? order by version_number", [final_row[3]]).fetchall()
        assert versions == [(True, 1, False), (False, 2, True)]
        entries = dict(con.execute("select listed_file, problem from manifest_entry").fetchall())
        assert entries == {"东湖区财政局2025年部门预算.txt": None, "gone.pdf": "no file 'gone.pdf' in the inbox"}
        chosen = con.execute("select candidate_source, candidate_value from dim_document_metadata where "
                             "file_name = '部门预算公开表.txt' and metadata_field = 'year' and is_chosen").fetchall()
        assert chosen == [("companion", "2023")]

