"""Each table layout on small hand-made fixtures, including the extraction quirks the seeds show."""

from ingest.report_text import parse_report_text
from ingest.sample_reports import east_lake_finance_bureau, render_final_accounts


def cells_of(text: str, table_code: str):
    document = parse_report_text(text)
    table = next(t for t in document.tables if t.table_code == table_code)
    return table, {(c.row_code or c.row_label, c.side, c.column_path): c for c in table.cells}


TWO_SIDED = "\n".join([
    "收入支出决算总表", "", "公开 01 表", "部门：测试单位", "单位：万元",
    "收入\t\t\t支出\t\t",
    "项 目\t行次\t决算数\t项 目\t行次\t决算数",
    "栏 次\t\t1\t栏 次\t\t2",
    "一、财政拨款收入\t1\t1,000.00\t一、教育支出\t5\t900.00",
    "二、其他收入\t2\t\t\t6\t",               # blank: no value, not zero
    "",                                          # a page break inside the table
    "本年收入合计\t3\t1,000.00\t本年支出合计\t7\t900.00",
    "年初结转和结余\t4\t0.00\t年末结转和结余\t8\t100.00",
    "总计\t9\t1,000.00\t总计\t10\t1,000.00",
    "注：测试。",
])


def test_two_sided_table_reads_both_sides_with_row_numbers():
    table, cells = cells_of(TWO_SIDED, "GK01")
    assert cells[("一、财政拨款收入", "income", "决算数")].amount == 1000.0
    assert cells[("一、教育支出", "expenditure", "决算数")].row_number == 5
    assert cells[("总计", "expenditure", "决算数")].column_number == 2
    assert cells[("年末结转和结余", "expenditure", "决算数")].line_no == 13
    assert ("二、其他收入", "income", "决算数") not in cells  # blank stays blank
    assert cells[("年初结转和结余", "income", "决算数")].amount == 0.0  # 0.00 stays a value
    assert len(table.cells) == 8 and not table.issues


GRID_TWO_LEVEL = "\n".join([
    "一般公共预算财政拨款支出决算表", "公开 05 表", "部门：测试单位", "单位：万元",
    "项 目\t\t本年支出\t\t",
    "功能分类科目编码\t科目名称\t小计\t基本支出\t项目支出",
    "栏次\t\t1\t2\t3",
    "合计\t\t30.00\t10.00\t20.00",
    "205\t教育支出\t30.00\t10.00\t20.00",
    "20502\t普通教育\t30.00\t10.00\t20.00",
    "2050201\t学前 教育\t30.00\t10.00\t20.00",   # a name wrapped inside its cell
])


def test_two_level_header_gives_column_paths():
    table, cells = cells_of(GRID_TWO_LEVEL, "GK05")
    assert cells[("2050201", None, "本年支出/基本支出")].amount == 10.0
    assert cells[("2050201", None, "本年支出/小计")].row_label == "学前教育"
    assert cells[("合计", None, "本年支出/项目支出")].column_number == 3
    assert len(table.cells) == 12


def test_misaligned_row_is_realigned_or_reported():
    text = GRID_TWO_LEVEL + "\n2050202\t小学教育\t\t5.00\t5.00\t\t0.00"  # shifted by one tab
    table, cells = cells_of(text, "GK05")
    assert cells[("2050202", None, "本年支出/小计")].amount == 5.0
    assert cells[("2050202", None, "本年支出/项目支出")].amount == 0.0
    broken = GRID_TWO_LEVEL + "\n2050203\t初中教育\t5.00\t5.00\t0.00\t9.99"
    table, _ = cells_of(broken, "GK05")
    assert len(table.issues) == 1
    assert "4 amounts where the header has 3 columns" in table.issues[0].message
    assert table.issues[0].line_no == 12


def test_three_public_table_reads_budget_and_final_groups():
    report = render_final_accounts(east_lake_finance_bureau())
    table, cells = cells_of(report, "GK07")
    assert cells[("", None, "预算数/合计")].amount == 20.0
    assert cells[("", None, "决算数/公务用车购置及运行费/公务用车运行费")].amount == 11.0
    assert cells[("", None, "决算数/公务接待费")].amount == 3.42
    assert len(table.cells) == 12


def test_empty_fund_table_keeps_its_note():
    report = render_final_accounts(east_lake_finance_bureau())
    document = parse_report_text(report)
    gk08 = next(t for t in document.tables if t.table_code == "GK08")
    assert gk08.cells == []
    assert any("无政府性基金预算收支" in note for note in gk08.notes)


ECONOMIC = "\n".join([
    "一般公共预算财政拨款基本支出决算表", "公开 06 表", "部门：测试单位", "单位：万元",
    "经济分类 科目编码\t科目名称\t决算数\t经济分类 科目编码\t科目名称\t决算数",
    "301\t工资福利支出\t10.00\t302\t商品和服务支出\t2.00",
    "30101\t基本工资\t10.00\t30201\t办公费\t2.00",
    "\t\t\t30299\t其他商品和服务支出\t0.00",
    "人员经费合计\t\t10.00\t公用经费合计\t\t\t\t2.00\t",   # misaligned closing line, as extracted
])


def test_economic_groups_and_misaligned_totals():
    table, cells = cells_of(ECONOMIC, "GK06")
    assert cells[("30101", None, "决算数")].amount == 10.0
    assert cells[("30299", None, "决算数")].amount == 0.0
    assert cells[("人员经费合计", None, "决算数")].amount == 10.0
    assert cells[("公用经费合计", None, "决算数")].amount == 2.0
    assert len(table.cells) == 7 and not table.issues


def test_rendered_sample_document_identity():
    document = parse_report_text(render_final_accounts(east_lake_finance_bureau()))
    assert document.report_kind == "final_accounts"
    assert document.unit_name == "示例市东湖区财政局"
    assert document.fiscal_year == 2023
    assert [t.table_code for t in document.tables] == ["GK01", "GK02", "GK03", "GK04", "GK05", "GK06", "GK07", "GK08"]


def test_unit_captions_are_read_however_printed_and_an_unknown_unit_holds_the_table():
    def table(caption: str):
        text = "\n".join(["一般公共预算支出预算表", "部门：测试单位", caption,
                          "科目编码\t科目名称\t金额", "\t合计\t1,000,000", "201\t一般公共服务支出\t1,000,000"])
        return next(t for t in parse_report_text(text).tables if t.table_code == "GK05")

    for caption in ("单位：人民币元", "单位 ：元", "金额单位：人民币元"):
        read = table(caption)
        assert read.printed_unit == "元" and not read.issues, caption
    unknown = table("单位：美元")
    assert [issue.message[:22] for issue in unknown.issues] == ["unit caption '单位:美元' n"]
    assert unknown.issues[0].line_no == 1  # on the title line: the whole table is held, not published 1 万× off
