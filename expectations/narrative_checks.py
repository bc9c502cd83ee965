"""Narrative figures (情况说明) against the tables, and stated percentages recomputed from operands.

Every check here is a ``warning``: narrative figures are not published facts, so a mismatch is
announced but never holds a table back. Tolerances follow the rounding model: an amount quoted from
a table may differ by one cent when the narrative derived it from other rounded figures (0.015);
a percentage is compared with the interval its rounded operands allow, widened by its own rounding.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from expectations.comparisons import COLUMNS, HALF_CENT

AMOUNT_TOLERANCE = 0.015


def narrative_comparisons(amounts: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    if claims.empty:
        return pd.DataFrame(columns=COLUMNS)
    parts = [_ratios(claims), _staffing_rates(claims)]  # stated with their operands: no table needed
    if not amounts.empty:
        cells = _cells_by_target(amounts)
        parts += [_amounts(claims, cells), _changes(claims, cells)]
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True)[COLUMNS] if parts else pd.DataFrame(columns=COLUMNS)


def _cells_by_target(amounts: pd.DataFrame) -> pd.DataFrame:
    """Table cells addressable the way claims address them: a row by its label or its item (without
    numbering), a column by its path or '*' for the first column of its row."""
    columns = ["document_id", "table_code", "side", "line_no", "row_label", "line_item", "column_path", "column_number"]
    # the columns it reads: each filter and copy below takes every column (Arrow's take, 7 % of the audit)
    frame = amounts[columns].assign(amount=amounts["amount_wan"].astype(float), side=amounts["side"].fillna(""))
    frame["first_column"] = frame.sort_values("column_number", na_position="last").groupby(
        ["document_id", "table_code", "side", "line_no"], sort=False)["column_path"].transform("first")
    rows = pd.concat([frame.assign(target_row=frame["row_label"]), frame.assign(target_row=frame["line_item"])])
    exact = rows.assign(target_column=rows["column_path"])
    first = rows[rows["column_path"] == rows["first_column"]].assign(target_column="*")
    cells = pd.concat([exact, first]).rename(columns={"table_code": "target_table"})
    keys = ["document_id", "target_table", "side", "target_row", "target_column"]
    return cells.drop_duplicates(keys)[keys + ["amount"]]


def _amounts(claims: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    quoted = claims[claims["claim_kind"] == "amount"].assign(side=lambda d: d["target_side"].fillna(""))
    merged = quoted.merge(cells, on=["document_id", "target_table", "side", "target_row", "target_column"])
    return _rows("narrative_amount", merged, actual=merged["stated"], expected=merged["amount"],
                 tolerance=pd.Series(AMOUNT_TOLERANCE, index=merged.index),
                 addends=merged["target_table"] + " " + merged["target_row"].replace("", "—") + " ["
                 + merged["target_column"] + "]")


def _ratio_bounds(numerator: pd.Series, denominator: pd.Series, slack: float) -> tuple[pd.Series, pd.Series]:
    low = (numerator - slack).clip(lower=0) / (denominator + slack) * 100
    high = (numerator + slack) / (denominator - slack) * 100
    return low, high


def _ratios(claims: pd.DataFrame) -> pd.DataFrame:
    """占 P% and 完成预算的 P%: numerator / denominator × 100, both printed in the same sentence."""
    rates = claims[claims["claim_kind"].isin(["share", "completion"]) & (claims["denominator"] > 0)]
    if rates.empty:
        return pd.DataFrame(columns=COLUMNS)
    exact = rates["numerator"] / rates["denominator"] * 100
    expected = exact.round(2)  # percentages are printed to 0.01 %
    low, high = _ratio_bounds(rates["numerator"], rates["denominator"], HALF_CENT)
    tolerance = np.maximum(exact - low, high - exact) + HALF_CENT
    rule = rates["claim_kind"].map({"share": "narrative_share", "completion": "narrative_completion_rate"})
    out = []
    for rule_id, part in rates.groupby(rule):
        out.append(_rows(rule_id, part, actual=part["stated"], expected=expected[part.index],
                         tolerance=tolerance[part.index],
                         addends=part["numerator"].map("{:,.2f}".format).astype(str) + " / "
                         + part["denominator"].map("{:,.2f}".format).astype(str) + " × 100"))
    return pd.concat(out, ignore_index=True)


def _staffing_rates(claims: pd.DataFrame) -> pd.DataFrame:
    """财政供养人员控制率 / 编外人员控制率 as stated against the headcounts printed beside them. Headcounts
    are exact, so only the rate's own rounding is allowed: half its last printed digit (90% → 0.5)."""
    rates = claims[(claims["claim_kind"] == "staffing_rate") & claims["stated"].notna()
                   & (claims["denominator"] > 0)]
    if rates.empty:
        return pd.DataFrame(columns=COLUMNS)
    exact = rates["numerator"] / rates["denominator"] * 100
    whole = (rates["stated"] % 1 == 0)
    return _rows("narrative_staffing_rate", rates.assign(target_table="PERF_DEPT"), actual=rates["stated"],
                 expected=exact.round(2), tolerance=np.where(whole, 0.5, HALF_CENT) + 1e-9,
                 addends=rates["numerator"].map("{:g}".format).astype(str) + " / "
                 + rates["denominator"].map("{:g}".format).astype(str) + " × 100")


def _changes(claims: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """减少 A 万元，减少 P%: against the current amount of the subject (and the printed base, if any)."""
    changes = claims[claims["claim_kind"] == "change"].assign(side=lambda d: d["target_side"].fillna(""))
    merged = changes.merge(cells, on=["document_id", "target_table", "side", "target_row", "target_column"])
    if merged.empty:
        return pd.DataFrame(columns=COLUMNS)
    sign = np.where(merged["direction"] == "up", 1.0, -1.0)
    out = []
    with_base = merged[merged["prior"].notna()]
    if not with_base.empty:
        signed = sign[merged["prior"].notna().to_numpy()] * with_base["change"]
        out.append(_rows("narrative_change_amount", with_base, actual=signed,
                         expected=with_base["amount"] - with_base["prior"],
                         tolerance=pd.Series(AMOUNT_TOLERANCE, index=with_base.index),
                         addends=with_base["amount"].map("{:,.2f}".format).astype(str) + " − "
                         + with_base["prior"].map("{:,.2f}".format).astype(str)))
    base = merged["prior"].where(merged["prior"].notna(), merged["amount"] - sign * merged["change"])
    percent = merged.assign(base=base)[merged["stated"].notna() & (base > 0)]
    if not percent.empty:
        exact = percent["change"] / percent["base"] * 100
        low, high = _ratio_bounds(percent["change"], percent["base"], 2 * HALF_CENT)
        out.append(_rows("narrative_change_rate", percent, actual=percent["stated"], expected=exact.round(2),
                         tolerance=np.maximum(exact - low, high - exact) + HALF_CENT,
                         addends=percent["change"].map("{:,.2f}".format).astype(str) + " / "
                         + percent["base"].map("{:,.2f}".format).astype(str) + " × 100"))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=COLUMNS)


def _rows(rule_id: str, claims: pd.DataFrame, *, actual, expected, tolerance, addends) -> pd.DataFrame:
    return pd.DataFrame({
        "rule_id": rule_id,
        "document_id": claims["document_id"].to_numpy(),
        "table_code": claims["target_table"].fillna(claims["section_table"]).to_numpy(),
        "side": claims.get("target_side", pd.Series(None, index=claims.index)).to_numpy(),
        "row_code": None,
        "row_label": claims["text"].str.slice(0, 120).to_numpy(),
        "column_path": claims["target_column"].fillna("%").to_numpy(),
        "line_no": claims["line_no"].to_numpy(),
        "actual": np.asarray(actual, dtype=float),
        "expected": np.asarray(expected, dtype=float),
        "n_addends": 1,
        "tolerance": np.asarray(tolerance, dtype=float).round(6),
        "addends": np.asarray(addends, dtype=object),
    })
