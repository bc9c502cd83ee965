"""Seed 000 (深圳市福田区委区政府办公室(汇总) 2018 决算): every table read to the cent."""

import pytest

from ingest.reader import decode_text, load_report_file
from ingest.report_text import parse_report_text
from tests.conftest import SEED_000, seed_path


@pytest.fixture(scope="module")
def seed():
    document = parse_report_text(decode_text(load_report_file(seed_path(SEED_000))))
    return document, {t.table_code: t for t in document.tables}


def by_key(table):
    return {(c.row_code or c.row_label, c.side, c.column_path): c.amount for c in table.cells}


def test_document_identity(seed):
    document, tables = seed
    assert document.report_kind == "final_accounts"
    assert document.unit_name == "深圳市福田区委区政府办公室(汇总)"
    assert document.fiscal_year == 2018
    assert sorted(tables) == ["GK01", "GK02", "GK03", "GK04", "GK05", "GK06", "GK07", "GK08"]
    assert all(not t.issues for t in document.tables)


def test_gk01_summary(seed):
    cells = by_key(seed[1]["GK01"])
    assert cells[("总计", "income", "决算数")] == 10233.80
    assert cells[("总计", "expenditure", "决算数")] == 10233.80
    assert cells[("一、财政拨款收入", "income", "决算数")] == 10152.21
    assert cells[("年初结转和结余", "income", "决算数")] == 81.59
    assert cells[("三、城乡社区支出", "expenditure", "决算数")] == 2328.35
    assert cells[("年末结转和结余", "expenditure", "决算数")] == 72.23
    assert len(cells) == 17


GK02_ROWS = {  # code: (本年收入合计, 财政拨款收入); the other five columns are 0.00 on every row
    "合计": (10152.21, 10152.21), "201": (7674.69, 7674.69), "20103": (6568.08, 6568.08),
    "2010301": (1166.00, 1166.00), "2010302": (1102.89, 1102.89), "2010305": (1156.17, 1156.17),
    "2010399": (3143.02, 3143.02), "20126": (964.45, 964.45), "2012601": (176.22, 176.22),
    "2012602": (108.34, 108.34), "2012604": (679.90, 679.90), "20199": (142.16, 142.16),
    "2019999": (142.16, 142.16), "208": (149.17, 149.17), "20805": (149.17, 149.17),
    "2080501": (114.26, 114.26), "2080502": (34.91, 34.91), "212": (2328.35, 2328.35),
    "21203": (2328.35, 2328.35), "2120399": (2328.35, 2328.35),
}
GK03_ROWS = {  # code: (本年支出合计, 基本支出, 项目支出); 上缴上级/经营/对附属单位补助 are 0.00
    "合计": (10161.57, 2206.05, 7955.52), "201": (7684.05, 2056.88, 5627.17),
    "20103": (6566.73, 1860.43, 4706.30), "2010301": (1166.00, 1166.00, 0.00),
    "2010302": (1102.89, 0.00, 1102.89), "2010305": (1156.17, 0.00, 1156.17),
    "2010399": (3141.67, 694.43, 2447.25), "20126": (975.16, 186.93, 788.23),
    "2012601": (186.93, 186.93, 0.00), "2012602": (108.34, 0.00, 108.34), "2012604": (679.90, 0.00, 679.90),
    "20199": (142.16, 9.53, 132.63), "2019999": (142.16, 9.53, 132.63), "208": (149.17, 149.17, 0.00),
    "20805": (149.17, 149.17, 0.00), "2080501": (114.26, 114.26, 0.00), "2080502": (34.91, 34.91, 0.00),
    "212": (2328.35, 0.00, 2328.35), "21203": (2328.35, 0.00, 2328.35), "2120399": (2328.35, 0.00, 2328.35),
}


def test_gk02_every_row_every_column(seed):
    cells = by_key(seed[1]["GK02"])
    zero_columns = ["上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入"]
    for code, (total, appropriation) in GK02_ROWS.items():
        assert cells[(code, None, "本年收入合计")] == total, code
        assert cells[(code, None, "财政拨款收入")] == appropriation, code
        assert [cells[(code, None, column)] for column in zero_columns] == [0.0] * 5, code
    assert len(cells) == 20 * 7


def test_gk03_and_gk05_every_row_every_column(seed):
    gk03, gk05 = by_key(seed[1]["GK03"]), by_key(seed[1]["GK05"])
    for code, (total, basic, project) in GK03_ROWS.items():
        assert (gk03[(code, None, "本年支出合计")], gk03[(code, None, "基本支出")],
                gk03[(code, None, "项目支出")]) == (total, basic, project), code
        assert [gk03[(code, None, c)] for c in ("上缴上级支出", "经营支出", "对附属单位补助支出")] == [0.0] * 3
        # 公开05 prints the same figures for the general public budget in this report
        assert (gk05[(code, None, "本年支出/小计")], gk05[(code, None, "本年支出/基本支出")],
                gk05[(code, None, "本年支出/项目支出")]) == (total, basic, project), code
    assert len(gk03) == 20 * 6 and len(gk05) == 20 * 3


def test_gk04_fiscal_appropriation_summary(seed):
    cells = by_key(seed[1]["GK04"])
    assert cells[("总计", "income", "金额")] == 10220.55
    assert cells[("总计", "expenditure", "合计")] == 10220.55
    assert cells[("年初财政拨款结转和结余", "income", "金额")] == 68.34
    assert cells[("年末财政拨款结转和结余", "expenditure", "一般公共预算财政拨款")] == 58.98
    assert cells[("一、一般公共服务支出", "expenditure", "政府性基金预算财政拨款")] == 0.0
    assert len(cells) == 25


def test_gk06_all_79_economic_codes(seed):
    table = seed[1]["GK06"]
    coded = {c.row_code: c.amount for c in table.cells if c.row_code}
    assert len(coded) == 79
    assert len({c for c in coded if len(c) == 3}) == 6
    assert coded["301"] == 1927.50 and coded["30102"] == 866.81 and coded["30108"] == 173.64
    assert coded["302"] == 92.60 and coded["30228"] == 27.91 and coded["30231"] == 10.38
    assert coded["303"] == 185.94 and coded["30302"] == 158.70 and coded["39999"] == 0.0
    # 款 sums: 301 -> 1,927.51, 302 -> 92.58, 303 -> 185.95 (each within rounding of its printed 类)
    assert round(sum(v for c, v in coded.items() if len(c) == 5), 2) == 2206.04
    totals = {c.row_label: c.amount for c in table.cells if not c.row_code}
    assert totals == {"人员经费合计": 2113.44, "公用经费合计": 92.60}


def test_gk07_three_public(seed):
    cells = by_key(seed[1]["GK07"])
    assert cells[("", None, "预算数/合计")] == 61.30
    assert cells[("", None, "预算数/公务接待费")] == 45.70
    assert cells[("", None, "决算数/合计")] == 29.24
    assert cells[("", None, "决算数/因公出国(境)费")] == 17.61
    assert cells[("", None, "决算数/公务用车购置及运行费/小计")] == 10.38
    assert cells[("", None, "决算数/公务接待费")] == 1.26


def test_gk08_is_empty_with_its_note(seed):
    table = seed[1]["GK08"]
    assert table.cells == []
    assert any("无政府性基金预算收支" in note for note in table.notes)
