"""Score tables and budget-execution tables read from hand-made fixtures in each layout."""

from ingest.performance.budget_tables import find_budget_tables
from ingest.performance.score_tables import find_score_tables

DEPARTMENT_TABLE = """四、评分情况

本单位自评得分88.50分。

部门整体支出绩效评价指标评分表

评价指标\t\t\t\t\t\t指标说明\t评分标准\t得分
一级指标\t\t二级指标\t\t三级指标\t\t\t\t
名称\t权重(%)\t名称\t权重(%)\t名称\t权重(%)\t\t\t
部门决策\t40\t预算编制\t20\t预算编制合理性\t12\t预算是否合理。\t符合要求得12分。\t10.50
\t\t\t\t预算编制规范性\t8\t预算是否规范。\t发现一项不符合扣1分。\t8.00
\t目标设置\t20\t绩效目标完整性\t12\t目标是否完整。\t按要求编报得12分。\t12.00
\t\t\t\t8\t是否公开预决算信息，用以反映公开透明情况。\t按规定公开得8分。\t7.50
部门绩效\t60\t效率性\t60\t预算执行率\t50\t支付进度。\t按季度计分。\t40.00
\t\t\t\t\t\t\t其中：全年平均执行率=每个季度的执行率/4
\t\t\t\t公众满意度\t10\t服务对象满意度。\t满意度≥95%得10分。\t10.00
"""

INTERLEAVED_TABLE = """部门整体支出绩效评价指标评分表

评价指标\t\t\t\t\t\t指标说明\t评分标准\t自评得分
一级指标\t\t二级指标\t\t三级指标\t\t\t\t
名称\t分值\t名称\t分值\t名称\t分值\t\t\t
部门管理\t100\t人员管理\t100\t财政供养人员控制率\t50\t在编人数与编制数之比。\t≤100%得分。\t50
\t\t1\t1\t\t\t在职人员总数之比。\t2. 比率>10%的得0分。\t
总分\t100\t-\t100\t-\t100\t-\t-\t100
"""

PROJECT_TABLE = """表 3-1：社区图书馆建设项目支出绩效评价指标评分表

一级指标\t分值\t二级指标\t分值\t三级指标\t分值\t得分
项目决策\t30\t项目目标\t10\t目标内容\t10\t8
\t\t资金分配\t20\t分配办法\t20\t20
项目绩效\t70\t项目产出\t70\t图书上架数量\t40\t40
读者满意度\t30\t\t\t29
总分\t100\t\t100\t\t100\t97
"""

FRAMEWORK_CELLS = """ 部门整体支出绩效评价共性指标框架
\t一级
指标
\t二级
指标
\t三级
指标
\t评分及标准
\t指标说明
\t自评分

\t投   入 （40分）
\t目标
设定 （40分）
\t绩效目标
合理性 （25分）
\t每项要点加5分。
\t评价要点：
①是否符合规划
\t20

\t
\t
\t绩效指标
明确性 （15分）
\t每项要点加5分。
\t评价要点：
①是否细化
\t15

\t产出 （60分）
\t职责
履行（60分）
\t实际
完成率 （60分）
\t100%计满分。
\t实际完成率=实际完成/计划×100%。
\t60

\t
\t95




附件2
"""

EXECUTION_TABLE = """表 5 2021 年某区文化局预算整体支出情况表

单位：万元

分类\t预算项目\t部门预算指标(万元)\t上年/历年结转(万元)\t追加指标(万元)\t调整指标(万元)\t年度总指标(万元)\t支出数(万元)\t剩余指标(万元)\t执行进度\t执行率差额原因
基本支出\t人员经费\t300.00\t-\t-\t-\t300.00\t290.00\t10.00\t96.67%\t
基本支出\t公用经费\t50.00\t-\t-\t-\t50.00\t40.00\t10.00\t80.00%\t
\t其中：公用日常经费\t45.00\t-\t-\t-\t45.00\t36.00\t9.00\t80.00%\t会议减少
\t公务用车运行维护费\t5.00\t-\t-\t-\t5.00\t4.00\t1.00\t80.00%\t
基本支出小计\t\t350.00\t-\t-\t-\t350.00\t330.00\t20.00\t94.29%\t
项目支出\t图书采购\t100.00\t20.00\t30.00\t-10.00\t140.00\t126.00\t14.00\t90.00%\t
\t运维经费\t40.00\t-\t-\t-\t40.00\t-\t40.00\t0.00%\t
项目支出小计\t\t140.00\t20.00\t30.00\t-10.00\t180.00\t126.00\t54.00\t70.00%\t
总计\t\t490.00\t20.00\t30.00\t-10.00\t530.00\t456.00\t74.00\t86.04%\t

①分析说明
"""


def test_department_table_reads_shifted_rows_a_missing_name_and_the_quoted_total():
    (table,) = find_score_tables(DEPARTMENT_TABLE.split("\n"))
    assert (table.table_code, table.kind, table.scope_name) == ("PERF_DEPT_01", "department_score", None)
    assert (table.stated_total, table.stated_total_line) == (88.5, 3)
    leaves = {node.path: (node.weight, node.score, node.line_no) for node in table.indicators if node.level == 3}
    assert leaves[("部门决策", "预算编制", "预算编制合理性")] == (12.0, 10.5, 10)
    # a row shifted one cell to the left still lands under 部门决策
    assert leaves[("部门决策", "目标设置", "绩效目标完整性")] == (12.0, 12.0, 12)
    # a weight printed without its name: kept, unnamed, never given a neighbour's name
    assert leaves[("部门决策", "目标设置", None)] == (8.0, 7.5, 13)
    assert not table.issues
    assert leaves[("部门绩效", "效率性", "预算执行率")][:2] == (50.0, 40.0)
    rate = next(node for node in table.indicators if node.path[-1] == "预算执行率")
    assert rate.scoring_standard.endswith("其中：全年平均执行率=每个季度的执行率/4")
    levels = [(node.level, node.path[-1], node.weight) for node in table.indicators if node.level < 3]
    assert levels == [(1, "部门决策", 40.0), (2, "预算编制", 20.0), (2, "目标设置", 20.0), (1, "部门绩效", 60.0),
                      (2, "效率性", 60.0)]


def test_interleaved_table_is_declared_unrecoverable_with_the_line():
    (table,) = find_score_tables(INTERLEAVED_TABLE.split("\n"))
    assert table.stated_total == 100.0
    assert len(table.issues) == 1
    issue = table.issues[0]
    assert (issue.table_code, issue.line_no) == ("PERF_DEPT_01", 7)
    assert "cannot be recovered" in issue.message and "numbers 1, 1 without an indicator name" in issue.message


def test_project_table_with_a_left_shifted_leaf_and_its_total_row():
    (table,) = find_score_tables(PROJECT_TABLE.split("\n"))
    assert (table.table_code, table.kind, table.scope_name) == ("PERF_PROJ_01", "project_score", "社区图书馆建设")
    assert (table.stated_total, table.stated_weight_total, table.stated_total_line) == (97.0, 100.0, 8)
    leaves = [(node.path, node.weight, node.score) for node in table.indicators if node.level == 3]
    assert leaves == [
        (("项目决策", "项目目标", "目标内容"), 10.0, 8.0),
        (("项目决策", "资金分配", "分配办法"), 20.0, 20.0),
        (("项目绩效", "项目产出", "图书上架数量"), 40.0, 40.0),
        (("项目绩效", "项目产出", "读者满意度"), 30.0, 29.0),
    ]
    assert not table.issues


def test_cell_per_line_framework_with_weights_in_names_and_an_unlabelled_total():
    (table,) = find_score_tables(FRAMEWORK_CELLS.split("\n"))
    assert (table.kind, table.table_code, table.stated_total) == ("indicator_framework", "PERF_FRAME_01", 95.0)
    nodes = [(node.level, node.path[-1], node.weight, node.score) for node in table.indicators]
    assert nodes == [
        (1, "投入", 40.0, None), (2, "目标设定", 40.0, None), (3, "绩效目标合理性", 25.0, 20.0),
        (3, "绩效指标明确性", 15.0, 15.0), (1, "产出", 60.0, None), (2, "职责履行", 60.0, None),
        (3, "实际完成率", 60.0, 60.0),
    ]
    assert not table.issues


def test_execution_table_cells_units_and_the_slash_in_a_header():
    (table,) = find_budget_tables(EXECUTION_TABLE.split("\n"))
    assert (table.table_code, table.printed_unit, table.first_line) == ("BUD_EXECUTION", "万元", 1)
    cells = {(c.row_label, c.column_path): (c.amount, c.unit, c.line_no) for c in table.cells}
    assert cells[("项目支出/图书采购", "上年／历年结转")] == (20.0, None, 11)
    assert cells[("项目支出/图书采购", "调整指标")] == (-10.0, None, 11)
    assert cells[("总计", "年度总指标")] == (530.0, None, 14)
    assert cells[("总计", "执行进度")] == (86.04, "%", 14)
    # a missing 分类 cell takes the group of the row above; '-' is no value, not zero
    assert ("基本支出/其中:公用日常经费", "部门预算指标") in cells
    assert ("项目支出/运维经费", "支出数") not in cells
    assert not any("原因" in path for _, path in cells)
    assert not table.issues
