"""绩效评价基础数据表 (BASE_DATA): the control rate recomputed, and itemised lines summed.

* ``base_control_rate``: 控制率 (%) printed = 实际在职人数 / 编制数 × 100. The form prints the rate
  to whole percents (61%), so the tolerance is half a unit of the rate's last printed digit, never
  less than the 0.005 % of the rounding model.
* ``base_items_sum``: a line followed by numbered items (项目支出：1、… 2、… 3、…; 三公经费: 1、… 2、…)
  equals the sum of those items, per column; 其中 lines under an item are not added; only items that
  print a value are added, and a blank line is not compared.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from expectations.comparisons import COLUMNS, HALF_CENT, comparison_rows

ITEM = re.compile(r"^\d+[、.]")
PARTIAL = re.compile(r"^其中")


def base_data_comparisons(amounts: pd.DataFrame) -> pd.DataFrame:
    frame = amounts[amounts["table_code"].str.startswith("BASE_DATA")].copy()
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    frame["value"] = frame["amount_printed"].astype(float)
    parts = [_control_rate(frame), _items_sum(frame)]
    return pd.concat([p for p in parts if not p.empty] or [pd.DataFrame(columns=COLUMNS)], ignore_index=True)


def _control_rate(frame: pd.DataFrame) -> pd.DataFrame:
    keys = ["document_id", "table_code", "row_label"]
    staffed = frame[frame["column_path"].str.contains("编制数")][keys + ["value"]].rename(columns={"value": "quota"})
    actual = frame[frame["column_path"].str.contains("在职人数|实有人数")][keys + ["value"]].rename(
        columns={"value": "staff"})
    rates = frame[frame["column_path"].str.endswith("控制率")]
    rows = rates.merge(staffed, on=keys).merge(actual, on=keys)
    rows = rows[rows["quota"] != 0]
    if rows.empty:
        return pd.DataFrame(columns=COLUMNS)
    decimals = rows["value_text"].str.extract(r"\.(\d+)")[0].str.len().fillna(0)
    tolerance = np.maximum(0.5 * 10.0 ** (-decimals), HALF_CENT)
    return comparison_rows("base_control_rate", rows, row_label=rows["row_label"], column_path=rows["column_path"],
                           actual=rows["value"], expected=100 * rows["staff"] / rows["quota"],
                           n_addends=np.full(len(rows), 2), addends=["实际在职人数/编制数"] * len(rows),
                           tolerance=tolerance)


def _items_sum(frame: pd.DataFrame) -> pd.DataFrame:
    """Each row's group is the unnumbered line printed right above its run of numbered items."""
    lines = frame.drop_duplicates(["document_id", "table_code", "row_label"]).sort_values(
        ["document_id", "table_code", "line_no"])
    is_item = lines["row_label"].str.match(ITEM.pattern)
    is_partial = lines["row_label"].str.match(PARTIAL.pattern)
    heads = lines["row_label"].where(~is_item & ~is_partial)
    group = heads.groupby([lines["document_id"], lines["table_code"]]).ffill()
    items = lines.assign(group=group)[is_item & group.notna()][["document_id", "table_code", "row_label", "group"]]
    children = frame.merge(items, on=["document_id", "table_code", "row_label"])
    keys = ["document_id", "table_code", "group", "column_path"]
    sums = children.groupby(keys, sort=False).agg(
        expected=("value", "sum"), n=("value", "size"), addends=("row_label", "+".join)).reset_index()
    parents = frame.merge(sums, left_on=["document_id", "table_code", "row_label", "column_path"], right_on=keys)
    parents = parents[parents["printed_unit"] != "%"]
    return comparison_rows("base_items_sum", parents, row_label=parents["row_label"],
                           column_path=parents["column_path"], actual=parents["value"], expected=parents["expected"],
                           n_addends=parents["n"], addends=parents["addends"])
