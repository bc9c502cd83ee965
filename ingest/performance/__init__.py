"""Performance self-evaluation reports (绩效自评) and the budget-execution tables printed in them.

- ``grid``              rows of cells from tab rows or from the cell-per-line (DOCX) layout
- ``score_tables``      一级/二级/三级 score tables, project score tables and indicator frameworks
- ``budget_tables``     budget, adjustment and execution tables, assets, per-subunit 三公 table
- ``base_data_tables``  绩效评价基础数据表: headcount, 控制率, cost control, project spending (BASE_DATA)
- ``target_tables``     绩效目标申报表 / 绩效目标表: declared targets per project (PERF_TARGET)
- ``self_evaluation_forms``  预算支出绩效自评表: a project's funds (BUD_PROJECT) and score tree (PERF_SELF)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.model import ParsedTable, PerformanceTable
from ingest.performance.base_data_tables import find_base_data_tables
from ingest.performance.budget_tables import find_budget_tables
from ingest.performance.score_tables import find_score_tables
from ingest.performance.self_evaluation_forms import find_self_evaluation_forms
from ingest.performance.target_tables import find_target_tables


@dataclass(slots=True)
class PerformanceReading:
    score_tables: list[PerformanceTable] = field(default_factory=list)
    amount_tables: list[ParsedTable] = field(default_factory=list)


def read_performance_tables(lines: list[str]) -> PerformanceReading:
    forms = find_self_evaluation_forms(lines)
    return PerformanceReading(score_tables=find_score_tables(lines) + [form.score_table for form in forms]
                              + find_target_tables(lines),
                              amount_tables=find_budget_tables(lines) + [form.funds for form in forms]
                              + find_base_data_tables(lines))
