"""Render synthetic 部门决算 and 部门预算 reports in the layout of real text extractions (tab-separated rows).

The figures are made consistent by construction (parents and totals are sums of leaves), so a
rendered report passes every integrity rule; ``alter`` then changes one printed amount to make a
known fault. Used for the bundled samples (samples/inbox), the benchmark corpus (with 绩效自评 reports
from ``sample_performance``) and the tests.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field, replace

from ingest.sample_performance import render_performance

ECONOMIC_NAMES = {
    "301": "工资福利支出", "30101": "基本工资", "30102": "津贴补贴", "30103": "奖金", "30107": "绩效工资",
    "30108": "机关事业单位基本养老保险缴费", "30113": "住房公积金", "30199": "其他工资福利支出",
    "302": "商品和服务支出", "30201": "办公费", "30207": "邮电费", "30211": "差旅费", "30213": "维修(护)费",
    "30228": "工会经费", "30231": "公务用车运行维护费", "30299": "其他商品和服务支出",
    "303": "对个人和家庭的补助", "30302": "退休费", "30309": "奖励金",
    "310": "资本性支出", "31002": "办公设备购置",
}


@dataclass
class FunctionLine:
    code: str  # 7-digit 项
    name: str
    basic: float
    project: float


@dataclass
class SampleReport:
    unit: str
    year: int
    lines: list[FunctionLine]
    names: dict[str, str]  # names of 类 and 款 codes
    economic: dict[str, float]  # 5-digit economic code -> amount (basic expenditure)
    carry_begin: float = 0.0
    three_public_budget: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # 出国, 购置, 运行, 接待
    three_public_final: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    alterations: dict[tuple[int, str], str] = field(default_factory=dict)


def _fmt(value: float) -> str:
    return f"{value:,.2f}"


def _tree(lines: list[FunctionLine]) -> list[tuple[str, float, float]]:
    """(code, basic, project) for every 类, 款 and 项, in print order."""
    totals: dict[str, list[float]] = {}
    for line in lines:
        for code in (line.code[:3], line.code[:5], line.code):
            basic, project = totals.setdefault(code, [0.0, 0.0])
            totals[code] = [round(basic + line.basic, 2), round(project + line.project, 2)]
    return [(code, *totals[code]) for code in sorted(totals)]


def render_final_accounts(report: SampleReport) -> str:
    tree = _tree(report.lines)
    names = {**report.names, **{line.code: line.name for line in report.lines}}
    basic_total = round(sum(line.basic for line in report.lines), 2)
    project_total = round(sum(line.project for line in report.lines), 2)
    spent = round(basic_total + project_total, 2)
    income = round(spent + 12.5, 2)  # the unit keeps a little more than it spends
    carry_end = round(report.carry_begin + income - spent, 2)
    total = round(income + report.carry_begin, 2)
    classes = [(code, b, p) for code, b, p in tree if len(code) == 3]
    dept = f"部门：{report.unit}"
    out: list[str] = [report.unit, "", f"{report.year} 年度部门决算", "", "一、部门决算表", ""]

    out += ["收入支出决算总表", "", "公开 01 表", "", dept, "", "单位：万元", "",
            "收入\t\t\t支出\t\t", "项 目\t行次\t决算数\t项 目\t行次\t决算数", "栏 次\t\t1\t栏 次\t\t2"]
    income_rows = [("一、财政拨款收入", income), ("二、上级补助收入", 0.0), ("三、事业收入", 0.0),
                   ("四、经营收入", 0.0), ("五、附属单位上缴收入", 0.0), ("六、其他收入", 0.0)]
    numerals = "一二三四五六七八九十"
    spend_rows = [(f"{numerals[i]}、{names[code]}", round(b + p, 2)) for i, (code, b, p) in enumerate(classes)]
    first_right = 12
    for i in range(max(len(income_rows), len(spend_rows))):
        left = income_rows[i] if i < len(income_rows) else ("", None)
        right = spend_rows[i] if i < len(spend_rows) else ("", None)
        out.append("\t".join([left[0], str(i + 1), "" if left[1] is None else _fmt(left[1]),
                              right[0], str(first_right + i), "" if right[1] is None else _fmt(right[1])]))
    out += [f"本年收入合计\t7\t{_fmt(income)}\t本年支出合计\t18\t{_fmt(spent)}",
            "用事业基金弥补收支差额\t8\t0.00\t结余分配\t19\t0.00",
            f"年初结转和结余\t9\t{_fmt(report.carry_begin)}\t年末结转和结余\t20\t{_fmt(carry_end)}",
            "", f"总计\t11\t{_fmt(total)}\t总计\t22\t{_fmt(total)}", "",
            "注：本表反映部门本年度的总收支和年末结转结余情况。", ""]

    out += ["收入决算表", "", "公开 02 表", "", "单位：万元", "", dept, "",
            "项 目\t\t本年收入合计\t财政拨款收入\t上级补助收入\t事业收入\t经营收入\t附属单位上缴收入\t其他收入",
            "功能分类科目编码\t科目名称\t\t\t\t\t\t\t", "栏次\t\t1\t2\t3\t4\t5\t6\t7"]
    income_by_code = {code: round(b + p, 2) for code, b, p in tree}
    income_by_code = {code: value + (12.5 if code in (classes[0][0], tree[1][0], tree[2][0]) else 0.0)
                      for code, value in income_by_code.items()}
    out.append("\t".join(["合计", "", _fmt(income), _fmt(income)] + ["0.00"] * 5))
    for code, _, _ in tree:
        value = round(income_by_code[code], 2)
        out.append("\t".join([code, names[code], _fmt(value), _fmt(value)] + ["0.00"] * 5))
    out += ["", "注：本表反映部门本年度取得的各项收入情况。", ""]

    out += ["支出决算表", "", "公开 03 表", "", dept, "", "单位：万元", "",
            "项 目\t\t本年支出合计\t基本支出\t项目支出\t上缴上级支出\t经营支出\t对附属单位补助支出",
            "功能分类科目编码\t科目名称\t\t\t\t\t\t", "栏次\t\t1\t2\t3\t4\t5\t6",
            "\t".join(["合计", "", _fmt(spent), _fmt(basic_total), _fmt(project_total), "0.00", "0.00", "0.00"])]
    for code, b, p in tree:
        out.append("\t".join([code, names[code], _fmt(b + p), _fmt(b), _fmt(p), "0.00", "0.00", "0.00"]))
    out += ["", "注：本表反映部门本年度各项支出情况。", ""]

    out += ["财政拨款收入支出决算总表", "", "公开 04 表", "", dept, "", "单位：万元", "",
            "收入\t\t\t支出\t\t\t\t",
            "项 目\t行次\t金 额\t项 目\t行次\t合 计\t一般公共 预算财政 拨款\t政府性基金预算财政拨 款",
            "栏 次\t\t1\t栏 次\t\t2\t3\t4"]
    appropriation_rows = [("一、一般公共预算财政拨款", income), ("二、政府性基金预算财政拨款", 0.0)]
    for i in range(max(len(appropriation_rows), len(spend_rows))):
        left = appropriation_rows[i] if i < len(appropriation_rows) else ("", None)
        right = spend_rows[i] if i < len(spend_rows) else ("", None)
        amounts = [] if right[1] is None else [_fmt(right[1]), _fmt(right[1]), "0.00"]
        out.append("\t".join([left[0], str(i + 1), "" if left[1] is None else _fmt(left[1]),
                              right[0], str(10 + i)] + (amounts or ["", "", ""])))
    out += [f"本年收入合计\t5\t{_fmt(income)}\t本年支出合计\t14\t{_fmt(spent)}\t{_fmt(spent)}\t0.00",
            f"年初财政拨款结转和结余\t6\t{_fmt(report.carry_begin)}\t年末财政拨款结转和结余\t15\t{_fmt(carry_end)}\t"
            f"{_fmt(carry_end)}\t0.00",
            f"一般公共预算财政拨款\t7\t{_fmt(report.carry_begin)}\t\t16\t\t\t",
            "政府性基金预算财政拨款\t8\t0.00\t\t17\t\t\t",
            f"总计\t9\t{_fmt(total)}\t总计\t18\t{_fmt(total)}\t{_fmt(total)}\t0.00", "",
            "注：本表反映部门本年度一般公共预算财政拨款和政府性基金预算财政拨款的总收支和年末结转结余情况。", ""]

    out += ["一般公共预算财政拨款支出决算表", "", "公开 05 表", "", dept, "", "单位：万元", "",
            "项 目\t\t本年支出\t\t", "功能分类科目编码\t科目名称\t小计\t基本支出\t项目支出", "栏次\t\t1\t2\t3",
            f"合计\t\t{_fmt(spent)}\t{_fmt(basic_total)}\t{_fmt(project_total)}"]
    for code, b, p in tree:
        out.append("\t".join([code, names[code], _fmt(b + p), _fmt(b), _fmt(p)]))
    out += ["", "注：本表反映部门本年度一般公共预算财政拨款支出情况。", ""]

    out += _economic_table(report, dept, basic_total)
    out += _three_public_table(report, dept)
    out += ["政府性基金预算财政拨款收入支出决算表", "", "公开 08 表", "", "单位：万元", "", dept, "",
            "项 目\t\t年初结转和结 余\t本年收入\t本年支出\t\t\t年末结转和结余",
            "功能分类科目编码\t科目名称\t\t\t小计\t基本支出\t项目支出\t", "栏次\t\t1\t2\t3\t4\t5\t6",
            "合计\t\t\t\t\t\t\t", "", f"本部门 {report.year} 年度无政府性基金预算收支。", "",
            "注：本表反映部门本年度政府性基金预算财政拨款收入、支出及结转和结余情况。", ""]
    out += _narrative(report, income, spent, carry_end, basic_total, project_total)
    return _apply_alterations("\n".join(out) + "\n", report.alterations)


def _pct(part: float, whole: float) -> str:
    return f"{part / whole * 100:.2f}"


def _narrative(report: SampleReport, income: float, spent: float, carry_end: float, basic: float,
               project: float) -> list[str]:
    """情况说明 in the standard section order, quoting the tables (figures consistent by construction)."""
    change = round(income * 0.05, 2)
    budget = round(sum(report.three_public_budget), 2)
    final = round(sum(report.three_public_final), 2)
    reception_budget, reception_final = report.three_public_budget[3], report.three_public_final[3]
    reception_prior = round(reception_final + 1.08, 2)
    return [
        "二、部门决算情况说明", "", "（一）收入支出决算总体情况说明", "",
        f"本部门 {report.year} 年度本年收入 {_fmt(income)} 万元，本年支出 {_fmt(spent)} 万元，年末结转和结余 "
        f"{_fmt(carry_end)} 万元。与 {report.year - 1} 年相比，本年收入增加 {_fmt(change)} 万元，增加 "
        f"{_pct(change, income - change)}%。", "",
        "（三）支出决算情况说明", "",
        f"本年支出合计 {_fmt(spent)} 万元，其中：基本支出 {_fmt(basic)} 万元，占 {_pct(basic, spent)}%；"
        f"项目支出 {_fmt(project)} 万元，占 {_pct(project, spent)}%。", "",
        "（七）一般公共预算财政拨款“三公”经费支出决算情况说明", "",
        f"“三公”经费财政拨款支出预算为 {_fmt(budget)} 万元，支出决算为 {_fmt(final)} 万元，完成预算的 "
        f"{_pct(final, budget)}%。", "",
        f"公务接待费年初预算数为 {_fmt(reception_budget)} 万元，决算支出数为 {_fmt(reception_final)} 万元。"
        f"与上年决算数 {_fmt(reception_prior)} 万元相比，减少 {_fmt(reception_prior - reception_final)} 万元，减少 "
        f"{_pct(reception_prior - reception_final, reception_prior)}%。", "",
    ]


def _economic_table(report: SampleReport, dept: str, basic_total: float) -> list[str]:
    economic = dict(report.economic)
    scale = basic_total / sum(economic.values())
    scaled = {code: round(value * scale, 2) for code, value in economic.items()}
    drift = round(basic_total - sum(scaled.values()), 2)
    last = sorted(scaled)[-1]
    scaled[last] = round(scaled[last] + drift, 2)
    rows: list[tuple[str, str, float]] = []
    for klass in sorted({code[:3] for code in scaled}):
        children = sorted(code for code in scaled if code[:3] == klass)
        rows.append((klass, ECONOMIC_NAMES[klass], round(sum(scaled[c] for c in children), 2)))
        rows += [(c, ECONOMIC_NAMES[c], scaled[c]) for c in children]
    per_group = -(-len(rows) // 3)
    groups = [rows[i * per_group:(i + 1) * per_group] for i in range(3)]
    out = ["一般公共预算财政拨款基本支出决算表", "", "公开 06 表", "", dept, "", "单位：万元", "",
           "\t".join(["经济分类 科目编码", "科目名称", "决算数"] * 3)]
    for i in range(per_group):
        cells = []
        for group in groups:
            cells += [group[i][0], group[i][1], _fmt(group[i][2])] if i < len(group) else ["", "", ""]
        out.append("\t".join(cells))
    personnel = round(sum(v for c, _, v in rows if c in ("301", "303")), 2)
    public = round(sum(v for c, _, v in rows if len(c) == 3 and c not in ("301", "303")), 2)
    out += [f"人员经费合计\t\t{_fmt(personnel)}\t公用经费合计\t\t\t\t{_fmt(public)}\t", "",
            "注：本表反映部门本年度一般公共预算财政拨款基本支出明细情况。", ""]
    return out


def _three_public_table(report: SampleReport, dept: str) -> list[str]:
    def group(values: tuple[float, float, float, float]) -> list[str]:
        abroad, purchase, running, reception = values
        cars = round(purchase + running, 2)
        return [_fmt(round(abroad + cars + reception, 2)), _fmt(abroad), _fmt(cars), _fmt(purchase), _fmt(running),
                _fmt(reception)]

    return ["一般公共预算财政拨款“三公”经费支出决算表", "", "公开 07 表", "", dept, "", "单位：万元", "",
            "预算数\t\t\t\t\t\t决算数\t\t\t\t\t",
            "\t".join(["合计", "因公出国 (境)费", "公务用车购置及运行费", "", "", "公务接待费"] * 2),
            "\t\t小计\t公务用车 购置费\t公务用车 运行费\t\t\t\t小计\t公务用车 购置费\t公务用车 运行费\t",
            "\t".join(str(i) for i in range(1, 13)),
            "\t".join(group(report.three_public_budget) + group(report.three_public_final)), "",
            "注：本表反映部门本年度“三公”经费支出预决算情况。", ""]


# 决算 table titles and the 部门预算 titles of the same tables (the longer titles first where one contains another)
BUDGET_TITLES = {
    "收入支出决算总表": "收支预算总表",
    "收入决算表": "收入预算总表",
    "支出决算表": "支出预算总表",
    "财政拨款收入支出决算总表": "财政拨款收支预算总表",
    "一般公共预算财政拨款支出决算表": "一般公共预算支出功能分类预算表",
    "一般公共预算财政拨款基本支出决算表": "一般公共预算基本支出经济分类预算表",
    "政府性基金预算财政拨款收入支出决算表": "政府性基金支出预算表",
}


def render_budget(report: SampleReport) -> str:
    """The 部门预算 of a unit: the same tables under their budget titles, 预算数 columns, the 三公 table with
    its budget figures only, and no 决算 情况说明."""
    text = render_final_accounts(replace(report, alterations={}))
    lines = text[:text.index("二、部门决算情况说明")].split("\n")
    start = lines.index("一般公共预算财政拨款“三公”经费支出决算表")
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("注："))
    lines[start:end + 1] = _three_public_budget_table(report, f"部门：{report.unit}")
    text = "\n".join(BUDGET_TITLES.get(line, line) for line in lines).replace("决算", "预算")
    return _apply_alterations(text.rstrip("\n") + "\n", report.alterations)


def _three_public_budget_table(report: SampleReport, dept: str) -> list[str]:
    abroad, purchase, running, reception = report.three_public_budget
    cars = round(purchase + running, 2)
    values = [round(abroad + cars + reception, 2), abroad, cars, purchase, running, reception]
    return ["“三公”经费支出预算表", "", "公开 07 表", "", dept, "", "单位：万元", "",
            "合计\t因公出国 (境)费\t公务用车购置及运行费\t\t\t公务接待费",
            "\t\t小计\t公务用车 购置费\t公务用车 运行费\t",
            "\t".join(str(i) for i in range(1, 7)),
            "\t".join(_fmt(v) for v in values), "",
            "注：本表反映部门本年度“三公”经费支出预算情况。"]


def _apply_alterations(text: str, alterations: dict[tuple[int, str], str]) -> str:
    """alterations: (occurrence index, printed text) -> replacement, applied to the rendered text."""
    for (occurrence, old), new in alterations.items():
        start = -1
        for _ in range(occurrence + 1):
            start = text.index(old, start + 1)
        text = text[:start] + new + text[start + len(old):]
    return text


def east_lake_finance_bureau(year: int = 2023) -> SampleReport:
    """示例市东湖区财政局: a clean, consistent report."""
    return SampleReport(
        unit="示例市东湖区财政局",
        year=year,
        lines=[
            FunctionLine("2010601", "行政运行", 1250.40, 0.0),
            FunctionLine("2010602", "一般行政管理事务", 0.0, 386.75),
            FunctionLine("2010699", "其他财政事务支出", 42.18, 915.33),
            FunctionLine("2080501", "行政单位离退休", 131.02, 0.0),
            FunctionLine("2080505", "机关事业单位基本养老保险缴费支出", 96.41, 0.0),
            FunctionLine("2210201", "住房公积金", 88.90, 0.0),
        ],
        names={"201": "一般公共服务支出", "20106": "财政事务", "208": "社会保障和就业支出",
               "20805": "行政事业单位养老支出", "221": "住房保障支出", "22102": "住房改革支出"},
        economic={"30101": 402.0, "30102": 388.0, "30103": 36.0, "30107": 120.0, "30108": 96.41, "30113": 88.90,
                  "30199": 30.0, "30201": 18.0, "30207": 6.0, "30211": 3.2, "30213": 9.0, "30228": 14.0,
                  "30231": 11.0, "30299": 7.5, "30302": 131.02, "30309": 8.0, "31002": 21.0},
        carry_begin=64.20,
        three_public_budget=(0.0, 0.0, 14.00, 6.00),
        three_public_final=(0.0, 0.0, 11.00, 3.42),
    )


def east_lake_education_bureau(year: int = 2023) -> SampleReport:
    """示例市东湖区教育局: its 公开03 prints one 项 amount that does not add up (a source erratum)."""
    report = SampleReport(
        unit="示例市东湖区教育局(汇总)",
        year=year,
        lines=[
            FunctionLine("2050101", "行政运行", 812.66, 0.0),
            FunctionLine("2050201", "学前教育", 2210.35, 1460.20),
            FunctionLine("2050202", "小学教育", 9630.18, 2875.44),
            FunctionLine("2050203", "初中教育", 6120.77, 1990.05),
            FunctionLine("2080502", "事业单位离退休", 742.31, 0.0),
        ],
        names={"205": "教育支出", "20501": "教育管理事务", "20502": "普通教育", "208": "社会保障和就业支出",
               "20805": "行政事业单位养老支出"},
        economic={"30101": 6200.0, "30102": 4100.0, "30107": 5100.0, "30108": 1500.0, "30113": 1300.0,
                  "30201": 160.0, "30211": 40.0, "30213": 300.0, "30228": 120.0, "30299": 80.0, "30302": 742.31,
                  "31002": 63.96},
        carry_begin=301.45,
        three_public_budget=(0.0, 0.0, 22.00, 4.00),
        three_public_final=(0.0, 0.0, 18.60, 2.15),
    )
    # The erratum: 公开03 prints 小学教育's 本年支出合计 as 12,515.62 instead of 12,505.62.
    report.alterations = {(0, "2050202\t小学教育\t12,505.62\t9,630.18"): "2050202\t小学教育\t12,515.62\t9,630.18"}
    return report


SAMPLES = {"east_lake_finance_bureau_2023_juesuan.txt": east_lake_finance_bureau,
           "east_lake_education_bureau_2023_juesuan.txt": east_lake_education_bureau}


DISTRICTS = ("东湖区", "西山区", "南湾区", "北岭区", "中洲区", "临江区", "青石区", "白沙区", "金田区", "松林区")
BUREAUS = ("财政局", "教育局", "卫生健康局", "民政局", "司法局", "文化广电旅游体育局", "交通运输局", "水务局",
           "城市管理和综合执法局", "统计局", "审计局", "商务局")
FUNCTION_POOL = (
    ("2010101", "行政运行", "201", "一般公共服务支出", "20101", "人大事务"),
    ("2010301", "行政运行", "201", "一般公共服务支出", "20103", "政府办公厅(室)及相关机构事务"),
    ("2010601", "行政运行", "201", "一般公共服务支出", "20106", "财政事务"),
    ("2010699", "其他财政事务支出", "201", "一般公共服务支出", "20106", "财政事务"),
    ("2050201", "学前教育", "205", "教育支出", "20502", "普通教育"),
    ("2050202", "小学教育", "205", "教育支出", "20502", "普通教育"),
    ("2080501", "行政单位离退休", "208", "社会保障和就业支出", "20805", "行政事业单位养老支出"),
    ("2080505", "机关事业单位基本养老保险缴费支出", "208", "社会保障和就业支出", "20805", "行政事业单位养老支出"),
    ("2101101", "行政单位医疗", "210", "卫生健康支出", "21011", "行政事业单位医疗"),
    ("2120399", "其他城乡社区公共设施支出", "212", "城乡社区支出", "21203", "城乡社区公共设施"),
    ("2210201", "住房公积金", "221", "住房保障支出", "22102", "住房改革支出"),
)


REPORT_KINDS = ("juesuan", "yusuan", "jixiao")  # 部门决算, 部门预算, 部门整体支出绩效自评报告


def generate_reports(count: int, seed: int = 0):
    """``count`` consistent reports (file name, text), deterministic for a seed: each district × bureau ×
    year unit publishes a 决算, a 预算 and a 绩效自评报告 in turn, with varied function lines, economic
    detail, 三公 figures and indicator weights and scores. The 决算 and 预算 of a unit-year are a pair: the
    决算 executes the budget's function lines (see ``generate_accounts``)."""
    for name, kind, performance, accounts in _generate(count, seed):
        if kind == "jixiao":
            yield name, performance
        else:
            yield name, render_final_accounts(accounts) if kind == "juesuan" else render_budget(accounts)


def generate_accounts(count: int, seed: int = 0):
    """(file name, kind, SampleReport) of the 决算 and 预算 among the first ``count`` generated reports: the
    figures each prints (for tests comparing the warehouse with what the reports print)."""
    for name, kind, _performance, accounts in _generate(count, seed):
        if accounts is not None:
            yield name, kind, accounts


def _generate(count: int, seed: int):
    rng = random.Random(seed)
    budget: SampleReport | None = None
    for index in range(count):
        kind = REPORT_KINDS[index % len(REPORT_KINDS)]
        unit_index = index // len(REPORT_KINDS)
        district = DISTRICTS[unit_index % len(DISTRICTS)]
        bureau = BUREAUS[(unit_index // len(DISTRICTS)) % len(BUREAUS)]
        year = 2015 + (unit_index // (len(DISTRICTS) * len(BUREAUS))) % 10
        suffix = unit_index // (len(DISTRICTS) * len(BUREAUS) * 10)
        unit = f"示例市{district}{bureau}" + (f"第{suffix + 1}分局" if suffix else "")
        name = f"sample_{index:06d}_{year}_{kind}.txt"
        if kind == "jixiao":  # rendered here: it draws from the same random stream
            yield name, kind, render_performance(unit, year, rng), None
        elif kind == "juesuan":
            budget = _random_accounts(unit, year, rng)
            yield name, kind, None, _executed(budget, rng)
        else:
            yield name, kind, None, budget


def _random_accounts(unit: str, year: int, rng: random.Random) -> SampleReport:
    """A unit's budget: function lines, economic detail of the basic expenditure, 三公 budget."""
    chosen = sorted(rng.sample(FUNCTION_POOL, rng.randint(3, 7)))
    lines = [FunctionLine(code, name, round(rng.uniform(20, 3000), 2),
                          round(rng.uniform(0, 2000), 2) if rng.random() < 0.6 else 0.0)
             for code, name, *_ in chosen]
    names = {}
    for _, _, class_code, class_name, section_code, section_name in chosen:
        names[class_code], names[section_code] = class_name, section_name
    economic = {code: round(rng.uniform(1, 500), 2) for code in rng.sample(
        [c for c in ECONOMIC_NAMES if len(c) == 5], rng.randint(5, 15))}
    three_budget = (0.0, 0.0, round(rng.uniform(5, 40), 2), round(rng.uniform(1, 10), 2))
    return SampleReport(unit=unit, year=year, lines=lines, names=names, economic=economic,
                        carry_begin=round(rng.uniform(0, 300), 2), three_public_budget=three_budget)


def _executed(budget: SampleReport, rng: random.Random) -> SampleReport:
    """The final accounts of a budget: each function line executed at 70–100 % (a project line sometimes not
    started), the same economic structure, the 三公 budget and what of it was spent."""
    lines = [FunctionLine(line.code, line.name, round(line.basic * rng.uniform(0.85, 1.0), 2),
                          round(line.project * rng.uniform(0.7, 1.0), 2) if rng.random() < 0.9 else 0.0)
             for line in budget.lines]
    three = budget.three_public_budget
    three_final = (0.0, 0.0, round(three[2] * rng.uniform(0.5, 1), 2), round(three[3] * rng.uniform(0.3, 1), 2))
    return replace(budget, lines=lines, three_public_final=three_final)


FAULT_KINDS = ("wrong_total", "rounding_only", "garbled_cell", "empty_file", "truncated_file")
_TOTAL_ROW = re.compile(r"^(合计\t\t)(\d[\d,]*\.\d\d)", re.MULTILINE)
_ITEM_ROW = re.compile(r"^(\d{7}\t[^\t]+\t)(\d[\d,]*\.\d\d)", re.MULTILINE)
# in a 绩效自评报告: the quoted self-score (the table's stated total) and a leaf indicator's score
_STATED_SCORE = re.compile(r"^(本单位自评得分)(\d+\.\d\d)(?=分)", re.MULTILINE)
_LEAF_SCORE = re.compile(r"^([^\n]*\t完全达到得\d+分[^\t\n]*\t)(\d+\.\d\d)$", re.MULTILINE)


def inject_fault(text: str, kind: str) -> tuple[str, str]:
    """The report with one fault of ``kind``, and what was done (for the generator's manifest):

    - wrong_total:    the first 合计 row's first amount + 1.00 (a total that breaks its table); in a 绩效自评
                      报告 the quoted self-score + 1.00 (a total its score table does not add up to)
    - rounding_only:  the first 项 row's first amount + 0.01 (within the rounding tolerance: info only); in a
                      绩效自评报告 the quoted self-score + 0.01
    - garbled_cell:   that amount (in a 绩效自评报告 the first indicator's score) printed with a letter O
                      for a zero (an unreadable row)
    - empty_file:     no bytes at all
    - truncated_file: the text cut at 40 % (a download that stopped)
    """
    if kind == "empty_file":
        return "", "empty file"
    if kind == "truncated_file":
        cut = int(len(text) * 0.4)
        return text[:cut], f"cut after {cut} of {len(text)} characters"
    performance = _STATED_SCORE.search(text) is not None
    if kind == "garbled_cell" and performance:
        pattern, delta = _LEAF_SCORE, 0.0
    elif kind == "wrong_total":
        pattern, delta = (_STATED_SCORE if performance else _TOTAL_ROW), 1.0
    else:
        pattern, delta = (_STATED_SCORE if performance else _ITEM_ROW), 0.01
    match = pattern.search(text)
    if match is None:
        raise ValueError(f"no row to alter for {kind}")
    printed = match.group(2)
    if kind == "garbled_cell":
        replacement = printed.replace("0", "O", 1) if "0" in printed else "O" + printed
    else:
        replacement = _fmt(float(printed.replace(",", "")) + delta)
    line = text.count("\n", 0, match.start()) + 1
    detail = f"line {line}: {match.group(1).split(chr(9))[0]} {printed} -> {replacement}"
    return text[:match.start(2)] + replacement + text[match.end(2):], detail


def generate_with_faults(count: int, seed: int = 0, fault_rate: float = 0.0):
    """(file name, text, fault kind or None, detail) for ``count`` generated reports; a share
    ``fault_rate`` of them carries one injected fault, the kinds taken in turn."""
    rng = random.Random(seed * 7919 + 1)
    injected = 0
    for name, text in generate_reports(count, seed):
        if fault_rate and rng.random() < fault_rate:
            kind = FAULT_KINDS[injected % len(FAULT_KINDS)]
            injected += 1
            faulty, detail = inject_fault(text, kind)
            yield name, faulty, kind, detail
        else:
            yield name, text, None, ""
