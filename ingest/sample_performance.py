"""Render synthetic 部门整体支出绩效自评报告 in the layout of real text extractions (tab-separated rows).

The score table is the three-level layout of the seeds' department tables (一级/二级/三级指标 with 名称
and 权重 columns, 指标说明, 评分标准, 得分), and the self-score is quoted before it. Weights roll up
level by level to 100 and the quoted score is the sum of the printed scores, so a rendered report passes
every score rule; faults are injected afterwards (sample_reports.inject_fault).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# (一级指标, [(二级指标, [三级指标 …])]) of the common framework for a department's whole expenditure
FRAMEWORK = (
    ("部门决策", (("目标设定", ("绩效目标合理性", "绩效指标明确性")),
                  ("预算配置", ("财政供养人员控制率", "“三公”经费变动率", "重点支出安排率")))),
    ("部门管理", (("资金投入", ("基本支出预算执行率", "项目支出预算执行率", "结转结余变动率")),
                  ("财务管理", ("财务管理制度健全性", "资金使用合规性")),
                  ("采购管理", ("政府采购执行率",)),
                  ("资产管理", ("资产管理制度健全性", "固定资产利用率")))),
    ("部门绩效", (("职责履行", ("重点工作完成率", "工作完成及时性")),
                  ("履职效益", ("社会效益", "可持续影响", "服务对象满意度")))),
)
LEVEL1_WEIGHTS = (20, 30, 50)


@dataclass(frozen=True)
class Leaf:
    level1: str
    level2: str
    name: str
    weight: int
    score: float


def _split(total: int, minimums: list[int], rng: random.Random) -> list[int]:
    """``total`` split into whole-number weights, each at least its minimum."""
    spare = total - sum(minimums)
    bounds = [0, *sorted(rng.randint(0, spare) for _ in minimums[1:]), spare]
    return [minimum + bounds[i + 1] - bounds[i] for i, minimum in enumerate(minimums)]


def score_leaves(rng: random.Random) -> list[Leaf]:
    leaves = []
    for (level1, sections), weight1 in zip(FRAMEWORK, LEVEL1_WEIGHTS, strict=True):
        weights2 = _split(weight1, [len(names) for _, names in sections], rng)
        for (level2, names), weight2 in zip(sections, weights2, strict=True):
            for name, weight3 in zip(names, _split(weight2, [1] * len(names), rng), strict=True):
                lost = rng.choice((0, 0, 0, 0.5, 1)) if weight3 > 1 else 0
                leaves.append(Leaf(level1, level2, name, weight3, round(weight3 - lost, 2)))
    return leaves


def render_performance(unit: str, year: int, rng: random.Random) -> str:
    leaves = score_leaves(rng)
    total = round(sum(leaf.score for leaf in leaves), 2)
    weight1 = {}
    weight2 = {}
    for leaf in leaves:
        weight1[leaf.level1] = weight1.get(leaf.level1, 0) + leaf.weight
        weight2[(leaf.level1, leaf.level2)] = weight2.get((leaf.level1, leaf.level2), 0) + leaf.weight
    out = [f"{unit}{year}年度部门整体支出绩效自评报告", "", f"部门：{unit}", "",
           "一、部门基本情况", "", f"{unit}主要职责是贯彻落实本级党委、政府的工作部署，履行本部门职能。", "",
           "二、绩效自评情况", "", f"本单位自评得分{total:.2f}分。", "",
           "部门整体支出绩效评价指标评分表", "",
           "评价指标\t\t\t\t\t\t指标说明\t评分标准\t得分",
           "一级指标\t\t二级指标\t\t三级指标\t\t\t\t",
           "名称\t权重(%)\t名称\t权重(%)\t名称\t权重(%)\t\t\t"]
    last1 = last2 = None
    for leaf in leaves:
        first = [leaf.level1, str(weight1[leaf.level1])] if leaf.level1 != last1 else ["", ""]
        second = ([leaf.level2, str(weight2[(leaf.level1, leaf.level2)])]
                  if (leaf.level1, leaf.level2) != last2 else ["", ""])
        out.append("\t".join([*first, *second, leaf.name, str(leaf.weight), f"{leaf.name}的完成情况。",
                              f"完全达到得{leaf.weight}分，未达到酌情扣分。", f"{leaf.score:.2f}"]))
        last1, last2 = leaf.level1, (leaf.level1, leaf.level2)
    out += ["", "三、存在的问题及改进措施", "", "部分项目支出执行进度偏慢，下一步将加强预算执行监控。", ""]
    return "\n".join(out) + "\n"
