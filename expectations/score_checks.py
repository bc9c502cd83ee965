"""Score-tree checks: weights roll up, weights total 100, scores add to the stated total, score ≤ weight.

Input is int_performance_indicators_resolved (one row per indicator node) and the performance tables
(stated totals). Output rows have the columns of ``comparisons.COLUMNS``; the rule's scope is the
score table (its table_code), so an error holds back that tree only. Scores and weights are printed
to 0.01 at most, so the tolerance model is the amounts' one with a printed unit of 1 分.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from expectations.comparisons import COLUMNS, HALF_CENT


def score_comparisons(nodes: pd.DataFrame, tables: pd.DataFrame) -> pd.DataFrame:
    if nodes.empty:
        return pd.DataFrame(columns=COLUMNS)
    nodes = nodes.copy()
    parts = [_weight_rollup(nodes), _weight_total(nodes, tables), _score_total(nodes, tables),
             _score_within_weight(nodes)]
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True)[COLUMNS] if parts else pd.DataFrame(columns=COLUMNS)


def _rows(rule_id: str, frame: pd.DataFrame, row_label: pd.Series, column: str, actual: pd.Series,
          expected: pd.Series, n: pd.Series, addends: pd.Series) -> pd.DataFrame:
    n = n.astype(int).to_numpy()
    return pd.DataFrame({
        "rule_id": rule_id,
        "document_id": frame["document_id"].to_numpy(),
        "table_code": frame["table_code"].to_numpy(),
        "side": "",
        "row_code": None,
        "row_label": row_label.to_numpy(),
        "column_path": column,
        "line_no": frame["line_no"].to_numpy(),
        "actual": actual.astype(float).to_numpy(),
        "expected": expected.astype(float).to_numpy(),
        "n_addends": n,
        "tolerance": np.round(HALF_CENT * (n + 1), 9),
        "addends": addends.to_numpy(),
    })


def _weight_rollup(nodes: pd.DataFrame) -> pd.DataFrame:
    """分值: a node's weight = Σ its children's weights (children that print a weight)."""
    children = nodes[nodes["parent_path"].notna() & nodes["weight"].notna()]
    sums = children.groupby(["document_id", "table_code", "parent_path"], sort=False).agg(
        expected=("weight", "sum"), n=("weight", "size"),
        addends=("weight", lambda s: "+".join(f"{v:g}" for v in s))).reset_index()
    parents = nodes[nodes["weight"].notna()].merge(
        sums, left_on=["document_id", "table_code", "indicator_path"],
        right_on=["document_id", "table_code", "parent_path"], suffixes=("", "_children"))
    return _rows("score_weight_rollup", parents, parents["indicator_path"], "分值", parents["weight"],
                 parents["expected"], parents["n"], parents["addends"])


def _weight_total(nodes: pd.DataFrame, tables: pd.DataFrame) -> pd.DataFrame:
    """Σ 一级指标分值 = the printed total weight (100 where none is printed)."""
    top = nodes[(nodes["level"] == 1) & nodes["weight"].notna()]
    sums = top.groupby(["document_id", "table_code"], sort=False).agg(
        actual=("weight", "sum"), n=("weight", "size"), line_no=("line_no", "min"),
        addends=("weight", lambda s: "+".join(f"{v:g}" for v in s))).reset_index()
    merged = sums.merge(tables[["document_id", "table_code", "stated_weight_total"]], how="left",
                        on=["document_id", "table_code"])
    expected = merged["stated_weight_total"].fillna(100.0)
    label = pd.Series(["一级指标分值合计"] * len(merged))
    return _rows("score_weight_total", merged, label, "分值", merged["actual"], expected, merged["n"],
                 merged["addends"])


def _score_total(nodes: pd.DataFrame, tables: pd.DataFrame) -> pd.DataFrame:
    """总分 as printed = Σ printed scores of the leaves."""
    leaves = nodes[nodes["score_printed"].notna()]
    sums = leaves.groupby(["document_id", "table_code"], sort=False).agg(
        expected=("score_printed", "sum"), n=("score_printed", "size"),
        addends=("score_printed", lambda s: "+".join(f"{v:g}" for v in s))).reset_index()
    stated = tables[tables["stated_total"].notna()]
    merged = stated.merge(sums, on=["document_id", "table_code"])
    merged = merged.assign(line_no=merged["stated_total_line"])
    label = pd.Series(["总分"] * len(merged))
    return _rows("score_total", merged, label, "得分", merged["stated_total"], merged["expected"], merged["n"],
                 merged["addends"])


def _score_within_weight(nodes: pd.DataFrame) -> pd.DataFrame:
    """得分 ≤ 分值 for every node that prints both (a score above its weight is impossible)."""
    both = nodes[nodes["score_printed"].notna() & nodes["weight"].notna()]
    expected = np.minimum(both["score_printed"], both["weight"])
    one = pd.Series(np.zeros(len(both), dtype=int))
    return _rows("score_within_weight", both, both["indicator_path"], "得分", both["score_printed"],
                 pd.Series(expected.to_numpy()), one, "分值 " + both["weight"].map("{:g}".format))
