"""Score-tree checks: weights roll up, weights total 100, scores add to the stated total, score ≤ weight.

Input is int_performance_indicators_scored (one row per indicator node) and the performance tables
(stated totals). Output rows have the columns of ``comparisons.COLUMNS``; the rule's scope is the
score table (its table_code), so an error holds back that tree only. Scores and weights are printed
to 0.01 at most, so the tolerance model is the amounts' one with a printed unit of 1 分.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from expectations.comparisons import COLUMNS, comparison_rows, sum_children


def score_comparisons(nodes: pd.DataFrame, tables: pd.DataFrame) -> pd.DataFrame:
    if nodes.empty:
        return pd.DataFrame(columns=COLUMNS)
    parts = [_weight_rollup(nodes), _weight_total(nodes, tables), _score_total(nodes, tables),
             _score_within_weight(nodes)]
    return pd.concat([p for p in parts if not p.empty] or [pd.DataFrame(columns=COLUMNS)], ignore_index=True)


def _sums(rows: pd.DataFrame, keys: list[str], column: str) -> pd.DataFrame:
    """Σ and count of ``column`` per group of ``keys`` (groups in order of first appearance, a group with a
    missing key left out), and its values joined (60+40) for the finding's text. A Python call per group
    to join them was 5 % of the audit."""
    rows = rows[rows[keys].notna().all(axis=1)]
    labelled = rows.assign(amount=rows[column], label=[f"{v:g}" for v in rows[column].to_numpy(dtype=float)])
    return sum_children(labelled, keys, "label")


def _weight_rollup(nodes: pd.DataFrame) -> pd.DataFrame:
    """分值: a node's weight = Σ the weights of its nearest weighted descendants.

    Children that print a weight are compared with their parent; where a level prints none (the 二级
    指标 of a 自评表), its children roll up to the nearest ancestor that does."""
    keys = ["document_id", "table_code"]
    weighted = nodes[nodes["weight"].notna()]
    up = nodes[keys + ["indicator_path", "parent_path", "weight"]].rename(
        columns={"indicator_path": "parent_path", "parent_path": "grandparent_path", "weight": "parent_weight"})
    children = weighted[weighted["parent_path"].notna()].merge(up, how="left", on=[*keys, "parent_path"])
    children["rollup_path"] = children["parent_path"].where(
        children["parent_weight"].notna(), children["grandparent_path"])
    sums = _sums(children, [*keys, "rollup_path"], "weight")
    parents = weighted.merge(sums, left_on=[*keys, "indicator_path"], right_on=[*keys, "rollup_path"])
    return comparison_rows("score_weight_rollup", parents, row_label=parents["indicator_path"], column_path="分值",
                           actual=parents["weight"], expected=parents["expected"], n_addends=parents["n"],
                           addends=parents["addends"])


def _weight_total(nodes: pd.DataFrame, tables: pd.DataFrame) -> pd.DataFrame:
    """Σ 一级指标分值 = the printed total weight (100 where none is printed)."""
    top = nodes[(nodes["level"] == 1) & nodes["weight"].notna()]
    keys = ["document_id", "table_code"]
    sums = _sums(top, keys, "weight").rename(columns={"expected": "actual"}).merge(
        top.groupby(keys, sort=False)["line_no"].min().reset_index(), on=keys)
    merged = sums.merge(tables[["document_id", "table_code", "stated_weight_total"]], how="left",
                        on=["document_id", "table_code"])
    return comparison_rows("score_weight_total", merged, row_label=["一级指标分值合计"] * len(merged),
                           column_path="分值", actual=merged["actual"],
                           expected=merged["stated_weight_total"].fillna(100.0), n_addends=merged["n"],
                           addends=merged["addends"])


def _score_total(nodes: pd.DataFrame, tables: pd.DataFrame) -> pd.DataFrame:
    """总分 as printed = Σ printed scores of the leaves."""
    leaves = nodes[nodes["score_printed"].notna()]
    sums = _sums(leaves, ["document_id", "table_code"], "score_printed")
    merged = tables[tables["stated_total"].notna()].merge(sums, on=["document_id", "table_code"])
    merged = merged.assign(line_no=merged["stated_total_line"])
    return comparison_rows("score_total", merged, row_label=["总分"] * len(merged), column_path="得分",
                           actual=merged["stated_total"], expected=merged["expected"], n_addends=merged["n"],
                           addends=merged["addends"])


def _score_within_weight(nodes: pd.DataFrame) -> pd.DataFrame:
    """得分 ≤ 分值 for every node that prints both (a score above its weight is impossible)."""
    both = nodes[nodes["score_printed"].notna() & nodes["weight"].notna()]
    return comparison_rows("score_within_weight", both, row_label=both["indicator_path"], column_path="得分",
                           actual=both["score_printed"], expected=np.minimum(both["score_printed"], both["weight"]),
                           n_addends=np.zeros(len(both), dtype=int),
                           addends="分值 " + both["weight"].map("{:g}".format).astype(str))
