"""Budget and execution tables (BUD_*) and the per-subunit 三公 table: totals, identities, rates.

Row roles are read from the printed labels: 总计/合计 (total), …小计 and 本年…合计 (subtotal),
一、二、… (numbered items), 【…】 (a complete breakdown of the item above), 其中 (a partial
breakdown, never added), anything else a plain item. Plain rows printed after a 其中 row are
ambiguous (the 其中 list may go on, or a sibling item may follow); a subtotal is compared with
both readings and the one that reconciles is kept, else the sibling reading is reported.
"""

from __future__ import annotations

import re

import pandas as pd

from expectations.comparisons import COLUMNS, HALF_CENT

NUMBERED = re.compile(r"^[一二三四五六七八九十]+、")
IDENTITY_ADDENDS = ("部门预算指标", "上年／历年结转", "追加指标", "调整指标")


def budget_comparisons(amounts: pd.DataFrame) -> pd.DataFrame:
    frame = amounts[amounts["table_code"].str.startswith(("BUD_", "SANGONG_UNITS"))].copy()
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    frame["value"] = frame["amount_printed"].astype(float)
    frame["leaf"] = frame["column_path"].str.split("/").str[-1]
    parts = [_row_totals(frame[frame["table_code"].str.startswith("BUD_") & (frame["printed_unit"] != "%")]),
             *_identities(frame), _execution_rate(frame), _subunits(frame)]
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True)[COLUMNS] if parts else pd.DataFrame(columns=COLUMNS)


def _check(rule_id: str, row: pd.Series, expected: float, addends: list[str], extra_tolerance: float = 0.0) -> dict:
    n = len(addends)
    return {
        "rule_id": rule_id, "document_id": row["document_id"], "table_code": row["table_code"], "side": "",
        "row_code": None, "row_label": row["row_label"], "column_path": row["column_path"],
        "line_no": row["line_no"], "actual": float(row["value"]), "expected": float(expected), "n_addends": n,
        "tolerance": round(HALF_CENT * (n + 1) + extra_tolerance, 9), "addends": "+".join(addends),
    }


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
    """budget_rows_total: subtotals, totals, numbered items and 【】 breakdowns, per column."""
    out: list[dict] = []
    for _, rows in frame.sort_values("line_no").groupby(["document_id", "table_code", "column_path"], sort=False):
        out.extend(_walk(rows.to_dict("records")))
    return pd.DataFrame(out, columns=COLUMNS)


def _walk(rows: list[dict]) -> list[dict]:
    out = []
    has_numbered = any(_role(r["row_label"]) == "numbered" for r in rows)
    segment: list[tuple[dict, str]] = []  # top-level items since the last subtotal: (row, reading)
    subtotals: list[dict] = []
    parent: dict | None = None
    children: list[dict] = []
    after_partial = False

    def close_parent() -> None:
        nonlocal parent, children
        if parent is not None and children:
            out.append(_check("budget_rows_total", pd.Series(parent), sum(c["value"] for c in children),
                              [c["row_label"].split("/")[-1] for c in children]))
        parent, children = None, []

    for row in rows:
        role = _role(row["row_label"])
        if role == "bracket" or (role == "plain" and has_numbered and parent is not None
                                 and _role(parent["row_label"]) == "numbered"):
            if parent is not None:
                children.append(row)
            continue
        close_parent()
        if role in ("plain", "numbered"):
            if role == "numbered" or not has_numbered:
                segment.append((row, "after_partial" if after_partial and role == "plain" else "item"))
            parent = row
        elif role == "partial":
            after_partial = True
        elif role == "subtotal":
            out.append(_segment_check(row, segment))
            subtotals.append(row)
            segment, after_partial = [], False
        elif role == "total":
            if subtotals:
                out.append(_check("budget_rows_total", pd.Series(row), sum(s["value"] for s in subtotals),
                                  [s["row_label"].split("/")[-1] for s in subtotals]))
            elif segment:
                out.append(_segment_check(row, segment))
            segment, subtotals, after_partial = [], [], False
    close_parent()
    return [c for c in out if c is not None]


def _segment_check(row: dict, segment: list[tuple[dict, str]]) -> dict | None:
    if not segment:
        return None
    siblings = [r for r, _ in segment]
    check = _check("budget_rows_total", pd.Series(row), sum(r["value"] for r in siblings),
                   [r["row_label"].split("/")[-1] for r in siblings])
    if abs(check["actual"] - check["expected"]) <= check["tolerance"]:
        return check
    continued = [r for r, reading in segment if reading == "item"]
    if len(continued) < len(siblings):
        alternative = _check("budget_rows_total", pd.Series(row), sum(r["value"] for r in continued),
                             [r["row_label"].split("/")[-1] for r in continued])
        if abs(alternative["actual"] - alternative["expected"]) <= alternative["tolerance"]:
            return alternative
    return check


def _pivot(frame: pd.DataFrame) -> pd.DataFrame:
    table = frame[frame["table_code"].str.startswith("BUD_")]
    return table.pivot_table(index=["document_id", "table_code", "row_label", "line_no"], columns="leaf",
                             values="value", aggfunc="first").reset_index()


def _identities(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """年度总指标 = 部门预算指标 + 结转 + 追加 + 调整; 支出数 + 剩余指标 = 年度总指标 (blank = nothing)."""
    wide = _pivot(frame)
    if "年度总指标" not in wide.columns:
        return []
    out = []
    present = [c for c in IDENTITY_ADDENDS if c in wide.columns]
    total_rows = wide[wide["年度总指标"].notna()]
    records = []
    for row in total_rows.to_dict("records"):
        addends = [c for c in present if pd.notna(row.get(c))]
        base = {**row, "value": row["年度总指标"], "column_path": "年度总指标"}
        records.append(_check("budget_identity_total", pd.Series(base), sum(row[c] for c in addends) if addends
                              else 0.0, addends or ["(none printed)"]))
        spent = [c for c in ("支出数", "剩余指标") if c in row and pd.notna(row.get(c))]
        if spent:
            records.append(_check("budget_identity_remaining", pd.Series(base), sum(row[c] for c in spent), spent))
    out.append(pd.DataFrame(records, columns=COLUMNS))
    return out


def _execution_rate(frame: pd.DataFrame) -> pd.DataFrame:
    """执行进度 (%) printed = 支出数 / 年度总指标 × 100; the tolerance adds the amounts' rounding."""
    wide = _pivot(frame)
    needed = {"执行进度", "年度总指标"}
    if not needed <= set(wide.columns):
        return pd.DataFrame(columns=COLUMNS)
    rows = wide[wide["执行进度"].notna() & wide["年度总指标"].notna() & (wide["年度总指标"] != 0)].copy()
    if "支出数" not in rows.columns:
        return pd.DataFrame(columns=COLUMNS)
    rows["支出数"] = rows["支出数"].fillna(0.0)
    records = []
    for row in rows.to_dict("records"):
        expected = 100 * row["支出数"] / row["年度总指标"]
        # each amount may be off by 0.005 万元: the rate by up to 100 × 0.005 × (1 + rate) / total
        slack = 100 * HALF_CENT * (1 + abs(expected) / 100) / abs(row["年度总指标"])
        base = {**row, "value": row["执行进度"], "column_path": "执行进度"}
        records.append(_check("budget_execution_rate", pd.Series(base), expected, ["支出数", "年度总指标"],
                              extra_tolerance=slack - HALF_CENT * 2))
    return pd.DataFrame(records, columns=COLUMNS)


def _subunits(frame: pd.DataFrame) -> pd.DataFrame:
    """Per-subunit 三公 table: the first (consolidated) row = Σ the subunits' rows, per column."""
    table = frame[frame["table_code"].str.startswith("SANGONG_UNITS")]
    if table.empty:
        return pd.DataFrame(columns=COLUMNS)
    records = []
    for _, rows in table.sort_values("line_no").groupby(["document_id", "table_code", "column_path"], sort=False):
        first_line = rows["line_no"].min()
        head = rows[rows["line_no"] == first_line].iloc[0]
        parts = rows[rows["line_no"] != first_line]
        if not parts.empty:
            records.append(_check("subunit_sum", head, parts["value"].sum(), parts["row_label"].tolist()))
    return pd.DataFrame(records, columns=COLUMNS) if records else pd.DataFrame(columns=COLUMNS)


