"""Budget and execution tables (BUD_*) and the per-subunit 三公 table: totals, identities, rates.

Row roles are read from the printed labels: 总计/合计 (total), …小计 and 本年…合计 (subtotal),
一、二、… (numbered items), 【…】 (a complete breakdown of the item above), 其中 (a partial
breakdown, never added), anything else a plain item. Plain rows printed after a 其中 row are
ambiguous (the 其中 list may go on, or a sibling item may follow); a subtotal is compared with
both readings and the one that reconciles is kept, else the sibling reading is reported.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from expectations.comparisons import COLUMNS, HALF_CENT, comparison_rows

NUMBERED = re.compile(r"^[一二三四五六七八九十]+、")
IDENTITY_ADDENDS = ("部门预算指标", "上年／历年结转", "追加指标", "调整指标")


def budget_comparisons(amounts: pd.DataFrame) -> pd.DataFrame:
    frame = amounts[amounts["table_code"].str.startswith(("BUD_", "SANGONG_UNITS"))].copy()
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    frame["value"] = frame["amount_printed"].astype(float)
    budget = frame[frame["table_code"].str.startswith("BUD_")]
    wide = budget.pivot_table(index=["document_id", "table_code", "row_label", "line_no"], columns="column_path",
                              values="value", aggfunc="first").reset_index()
    parts = [_row_totals(budget[budget["printed_unit"] != "%"]), *_identities(wide), _execution_rate(wide),
             _subunits(frame[frame["table_code"].str.startswith("SANGONG_UNITS")])]
    return pd.concat([p for p in parts if not p.empty] or [pd.DataFrame(columns=COLUMNS)], ignore_index=True)


def _role(label: str) -> str:
    item = label.split("/")[-1]
    if item in ("总计", "合计") or item.endswith("总计"):
        return "total"
    if item.endswith("小计") or (item.startswith("本年") and item.endswith("合计")):
        return "subtotal"
    if NUMBERED.match(item):
        return "numbered"
    if item.startswith("【") and item.endswith("】"):
        return "bracket"
    if item.startswith("其中"):
        return "partial"
    return "plain"


def _row_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """budget_rows_total: subtotals, totals, numbered items and 【】 breakdowns, per column.

    Row roles depend on the rows printed before them, so each (table, column) is walked in order;
    these tables have tens of rows, and the walk is one pass.
    """
    # one pass over the records, grouped as groupby(sort=False) groups them (first appearance, keys with a
    # null left out): a DataFrame per (table, column) cost ~0.1 ms each, most of the audit of a full refresh
    keys = ["document_id", "table_code", "column_path"]
    ordered = frame.sort_values("line_no")
    ordered = ordered.loc[ordered[keys].notna().all(axis=1), [*keys, "row_label", "value", "line_no"]]
    columns: dict[tuple, list[dict]] = {}
    for row in ordered.to_dict("records"):  # the columns the walk reads (every column: 3x as long)
        columns.setdefault((row["document_id"], row["table_code"], row["column_path"]), []).append(row)
    records: list[tuple[dict, float, list[str]]] = []
    for rows in columns.values():
        records.extend(_walk(rows))
    if not records:
        return pd.DataFrame(columns=COLUMNS)
    targets = pd.DataFrame([row for row, _, _ in records])
    return comparison_rows("budget_rows_total", targets, row_label=targets["row_label"],
                           column_path=targets["column_path"], actual=targets["value"],
                           expected=[expected for _, expected, _ in records],
                           n_addends=[len(names) for _, _, names in records],
                           addends=["+".join(names) for _, _, names in records])


def _item(row: dict) -> str:
    return row["row_label"].split("/")[-1]


def _walk(rows: list[dict]) -> list[tuple[dict, float, list[str]]]:
    """(checked row, expected, addend names) for one column of one table, rows in printed order."""
    out = []
    has_numbered = any(_role(r["row_label"]) == "numbered" for r in rows)
    segment: list[tuple[dict, bool]] = []  # top-level items since the last subtotal, (row, printed after 其中)
    subtotals: list[dict] = []
    parent: dict | None = None
    children: list[dict] = []
    after_partial = False
    for row in rows:
        role = _role(row["row_label"])
        under_numbered = role == "plain" and has_numbered and parent is not None and _role(
            parent["row_label"]) == "numbered"
        if role == "bracket" or under_numbered:
            if parent is not None:
                children.append(row)
            continue
        if parent is not None and children:
            out.append((parent, sum(c["value"] for c in children), [_item(c) for c in children]))
        parent, children = None, []
        if role in ("plain", "numbered"):
            if role == "numbered" or not has_numbered:
                segment.append((row, after_partial and role == "plain"))
            parent = row
        elif role == "partial":
            after_partial = True
        elif role == "subtotal":
            out.extend(_segment_check(row, segment))
            subtotals.append(row)
            segment, after_partial = [], False
        elif role == "total":
            if subtotals:
                out.append((row, sum(s["value"] for s in subtotals), [_item(s) for s in subtotals]))
            else:
                out.extend(_segment_check(row, segment))
            segment, subtotals, after_partial = [], [], False
    if parent is not None and children:
        out.append((parent, sum(c["value"] for c in children), [_item(c) for c in children]))
    return out


def _segment_check(row: dict, segment: list[tuple[dict, bool]]) -> list[tuple[dict, float, list[str]]]:
    """Sibling reading first; the 其中-list reading only where it reconciles and the sibling one does not."""
    if not segment:
        return []
    readings = [[r for r, _ in segment], [r for r, after_partial in segment if not after_partial]]
    for addends in readings:
        expected = sum(r["value"] for r in addends)
        if abs(row["value"] - expected) <= HALF_CENT * (len(addends) + 1):
            return [(row, expected, [_item(r) for r in addends])]
    siblings = readings[0]
    return [(row, sum(r["value"] for r in siblings), [_item(r) for r in siblings])]


def _identities(wide: pd.DataFrame) -> list[pd.DataFrame]:
    """年度总指标 = 部门预算指标 + 结转 + 追加 + 调整; 支出数 + 剩余指标 = 年度总指标 (blank = nothing)."""
    if "年度总指标" not in wide.columns:
        return []
    rows = wide[wide["年度总指标"].notna()]
    out = []
    for rule_id, names in (("budget_identity_total", [c for c in IDENTITY_ADDENDS if c in wide.columns]),
                           ("budget_identity_remaining", [c for c in ("支出数", "剩余指标") if c in wide.columns])):
        printed = rows[names].notna()
        checked = rows[printed.any(axis=1)] if rule_id == "budget_identity_remaining" else rows
        printed = printed.loc[checked.index]
        addends = sum((np.where(printed[name], name + "+", "") for name in names), np.full(len(printed), ""))
        addends = pd.Series(addends, dtype=object).str.rstrip("+").replace("", "(none printed)")
        out.append(comparison_rows(rule_id, checked, row_label=checked["row_label"], column_path="年度总指标",
                                   actual=checked["年度总指标"], expected=checked[names].fillna(0.0).sum(axis=1),
                                   n_addends=printed.sum(axis=1), addends=addends))
    return out


# (rate, executed, budget): the execution table's columns, and the 自评表's
RATE_COLUMNS = (("执行进度", "支出数", "年度总指标"), ("执行率", "全年执行数", "全年预算数"))


def _execution_rate(wide: pd.DataFrame) -> pd.DataFrame:
    """执行进度/执行率 (%) printed = 支出数 / 年度总指标 × 100 (全年执行数 / 全年预算数 on 自评表);
    the tolerance adds the amounts' rounding."""
    parts = []
    for rate, executed, budget in RATE_COLUMNS:
        if not {rate, budget} <= set(wide.columns):
            continue
        rows = wide[wide[rate].notna() & wide[budget].notna() & (wide[budget] != 0)]
        spent = rows[executed].fillna(0.0) if executed in wide.columns else pd.Series(0.0, index=rows.index)
        expected = 100 * spent / rows[budget]
        # each amount may be off by 0.005 万元: the rate by up to 100 × 0.005 × (1 + rate) / total
        tolerance = HALF_CENT + 100 * HALF_CENT * (1 + expected.abs() / 100) / rows[budget].abs()
        parts.append(comparison_rows("budget_execution_rate", rows, row_label=rows["row_label"], column_path=rate,
                                     actual=rows[rate], expected=expected, n_addends=np.full(len(rows), 2),
                                     addends=[f"{executed}/{budget}"] * len(rows), tolerance=tolerance))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)


def _subunits(table: pd.DataFrame) -> pd.DataFrame:
    """Per-subunit 三公 table: the first (consolidated) row = Σ the subunits' rows, per column."""
    if table.empty:
        return pd.DataFrame(columns=COLUMNS)
    keys = ["document_id", "table_code", "column_path"]
    is_head = table["line_no"] == table.groupby(keys)["line_no"].transform("min")
    parts = table[~is_head].groupby(keys, sort=False).agg(
        expected=("value", "sum"), n=("value", "size"), addends=("row_label", "+".join)).reset_index()
    heads = table[is_head].merge(parts, on=keys)
    return comparison_rows("subunit_sum", heads, row_label=heads["row_label"], column_path=heads["column_path"],
                           actual=heads["value"], expected=heads["expected"], n_addends=heads["n"],
                           addends=heads["addends"])
