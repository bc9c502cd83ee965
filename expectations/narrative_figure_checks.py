"""Figures quoted in a 部门预算's prose (情况说明, 编制说明), checked among themselves and against the tables.

The 决算 情况说明 is checked through its claims (narrative_checks); a budget's prose through its figures
(int_narrative_figures_classified), by two rules, both ``warning``s of the source:

- ``narrative_figure_change_rate``: “X 万元，与上年相比增加 D 万元，增长 P%” — P = D / (X − D) × 100, the
  amount, its change and its rate printed one after the other for one subject;
- ``narrative_figure_coded_amount``: an amount whose subject names a 类/款/项 resolved to a code is printed
  by some table of the same document for that code (any column: the prose quotes 合计, 基本 or 项目); the
  closest cell is taken for the one it quotes.

And one rule on every report's prose (budget, final accounts, performance), also a ``warning``:

- ``narrative_figure_parts_sum``: “总资产 A 万元，其中流动资产 a₁ 万元，固定资产 a₂ 万元 …” — a total and the
  amounts its 其中 lists in the same sentence: A = Σ aᵢ. A 其中 list may name only some parts, so the sum is
  compared only where the parts claim to be the whole: they add up to 99 % of it or more, or exceed it.

Tolerances come from what is printed: each operand is off by half its last printed digit, a percentage by
one unit of its own (rounded or cut: 2.31 for 2.3153); an amount quoted from a table is compared with the
cell rounded to the quote's printed digits and may differ by one unit of its last digit (cut: 87.70 for
877,080 元; 17,192 for 171,915,169 元 rounds exactly).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from expectations.comparisons import COLUMNS

CHANGE_RATE_RULE = "narrative_figure_change_rate"
CODED_AMOUNT_RULE = "narrative_figure_coded_amount"
PARTS_SUM_RULE = "narrative_figure_parts_sum"
WHOLE_SHARE = 0.99  # parts adding up to this share of their total are meant as the whole of it


def figure_comparisons(amounts: pd.DataFrame, figures: pd.DataFrame | None) -> pd.DataFrame:
    if figures is None or figures.empty:
        return pd.DataFrame(columns=COLUMNS)
    budget = figures[figures["report_kind"] == "budget"].sort_values(["document_id", "figure_no"])
    parts = [p for p in (_change_rates(budget), _coded_amounts(budget, amounts), _parts_sums(figures))
             if not p.empty]
    return pd.concat(parts, ignore_index=True)[COLUMNS] if parts else pd.DataFrame(columns=COLUMNS)


def _last_digit(printed: pd.Series) -> pd.Series:
    """One unit of the last printed digit of each number ('1,463.8万元' → 0.1, '17,192万元' → 1)."""
    number = printed.str.extract(r"(-?[\d,]+(?:\.(\d+))?)")
    decimals = number[1].fillna("").str.len()
    return 10.0 ** (-decimals.astype(float))


def _change_rates(figures: pd.DataFrame) -> pd.DataFrame:
    before = figures.groupby("document_id").shift(1)
    two_before = figures.groupby("document_id").shift(2)
    stated = figures[(figures["measure"] == "change_pct") & (before["measure"] == "change")
                     & (two_before["measure"] == "amount") & (before["subject"] == figures["subject"])
                     & (two_before["subject"] == figures["subject"])]
    if stated.empty:
        return pd.DataFrame(columns=COLUMNS)
    change = before.loc[stated.index, "value"].astype(float)
    amount = two_before.loc[stated.index, "value"].astype(float)
    change_unit = _last_digit(before.loc[stated.index, "printed_text"]) / 2
    amount_unit = _last_digit(two_before.loc[stated.index, "printed_text"]) / 2
    base = amount - change
    usable = (base > 0) & (two_before.loc[stated.index, "printed_unit"] == before.loc[stated.index, "printed_unit"])
    stated, change, amount, base = stated[usable], change[usable], amount[usable], base[usable]
    if stated.empty:
        return pd.DataFrame(columns=COLUMNS)
    change_unit, amount_unit = change_unit[usable], amount_unit[usable]
    exact = change / base * 100
    base_error = amount_unit + change_unit
    corners = np.column_stack([((change + sc * change_unit) / (base + sb * base_error) * 100).to_numpy()
                               for sc in (-1, 1) for sb in (-1, 1)])
    own_unit = _last_digit(stated["printed_text"])
    decimals = (-np.log10(own_unit)).round().astype(int)
    expected = pd.Series([round(e, d) for e, d in zip(exact, decimals, strict=True)], index=stated.index)
    # the rate itself may be rounded or cut to its printed digits (2.31 for 2.3153)
    tolerance = np.abs(corners - exact.to_numpy()[:, None]).max(axis=1) + own_unit.to_numpy()
    addends = (change.map("{:,.2f}".format) + " / (" + amount.map("{:,.2f}".format) + " − "
               + change.map("{:,.2f}".format) + ") × 100")
    return _rows(CHANGE_RATE_RULE, stated, actual=stated["value"].astype(float), expected=expected,
                 tolerance=tolerance, addends=addends)


def _coded_amounts(figures: pd.DataFrame, amounts: pd.DataFrame) -> pd.DataFrame:
    coded = figures[(figures["measure"] == "amount") & figures["classification_code"].notna()
                    & figures["amount_wan"].notna()]
    if coded.empty or amounts.empty:
        return pd.DataFrame(columns=COLUMNS)
    cells = amounts[amounts["amount_wan"].notna() & amounts["classification_code"].notna()][
        ["document_id", "classification_code", "amount_wan", "table_code", "column_path"]]
    merged = coded.reset_index().merge(cells, on=["document_id", "classification_code"], suffixes=("", "_cell"))
    if merged.empty:
        return pd.DataFrame(columns=COLUMNS)
    merged["difference"] = (merged["amount_wan"].astype(float) - merged["amount_wan_cell"].astype(float)).abs()
    closest = merged.sort_values("difference").drop_duplicates("index").set_index("index").loc[
        lambda d: d.index.isin(coded.index)]
    quoted = coded.loc[closest.index]
    unit = _last_digit(quoted["printed_text"]) * _wan_per_printed_unit(quoted["printed_unit"])
    # the cell as the prose would print it: rounded to the figure's digits (a cut figure stays inside the unit)
    expected = [round(cell / u) * u for cell, u in zip(closest["amount_wan_cell"].astype(float), unit, strict=True)]
    addends = (closest["table_code"] + " " + quoted["classification_code"] + " [" + closest["column_path"] + "] "
               + closest["amount_wan_cell"].astype(float).map("{:,.4f}".format))
    return _rows(CODED_AMOUNT_RULE, quoted, actual=quoted["amount_wan"].astype(float),
                 expected=np.round(expected, 6), tolerance=unit + 1e-9, addends=addends)


def _parts_sums(figures: pd.DataFrame) -> pd.DataFrame:
    """A sentence's first amount followed by 其中 and two or more amounts: the total against their sum."""
    amounts = figures[(figures["measure"] == "amount") & figures["amount_wan"].notna()
                      & figures["text"].str.contains("其中", regex=False, na=False)]
    # the sentences walked over arrays, grouped as groupby(sort=False) groups them (first appearance): a
    # DataFrame and two Series lookups per sentence were most of the audit of a full refresh
    ordered = amounts.sort_values(["document_id", "figure_no"])
    documents, texts = ordered["document_id"].to_numpy(), ordered["text"].to_numpy()
    printed, subjects = ordered["printed_text"].to_numpy(), ordered["subject"].to_numpy()
    values, floats = ordered["amount_wan"].to_numpy(), ordered["amount_wan"].astype(float).to_numpy()
    # half a unit of each figure's last printed digit; a unit not known counts 0, as a Series sum skips NaN
    half_units = (_last_digit(ordered["printed_text"]) * _wan_per_printed_unit(ordered["printed_unit"]) / 2)
    half_units = half_units.fillna(0.0).to_numpy(dtype=float)
    sentences: dict[tuple, list[int]] = {}
    for position, key in enumerate(zip(documents, texts, strict=True)):
        if not (pd.isna(key[0]) or pd.isna(key[1])):
            sentences.setdefault(key, []).append(position)
    totals, sums, tolerances, addends = [], [], [], []
    for positions in sentences.values():
        if len(positions) < 3:
            continue
        total, parts = positions[0], positions[1:]
        text = texts[total]
        total_end = text.find(printed[total]) + len(printed[total])
        first_part = text.find(printed[parts[0]], total_end)
        if total_end < len(printed[total]) or "其中" not in text[total_end:max(first_part, total_end)]:
            continue
        tolerance = float(half_units[positions].sum())
        whole, summed = float(values[total]), float(floats[parts].sum())
        if whole <= 0 or not (summed >= WHOLE_SHARE * whole or summed > whole + tolerance):
            continue  # a 其中 list naming some parts only
        totals.append(total)
        sums.append(round(summed, 6))
        tolerances.append(tolerance)
        addends.append(" + ".join(f"{subjects[p]} {values[p]:,.2f}" for p in parts))
    if not totals:
        return pd.DataFrame(columns=COLUMNS)
    stated = ordered.iloc[totals]
    return _rows(PARTS_SUM_RULE, stated, actual=stated["amount_wan"].astype(float), expected=sums,
                 tolerance=tolerances, addends=addends).assign(n_addends=[a.count(" + ") + 1 for a in addends])


def _wan_per_printed_unit(units: pd.Series) -> pd.Series:
    return units.map({"万元": 1.0, "元": 0.0001, "千元": 0.1, "亿元": 10000.0}).astype(float)


def _rows(rule_id: str, figures: pd.DataFrame, *, actual, expected, tolerance, addends) -> pd.DataFrame:
    return pd.DataFrame({
        "rule_id": rule_id,
        "document_id": figures["document_id"].to_numpy(),
        "table_code": None,  # the prose is no table: a warning of the document
        "side": None,
        "row_code": figures["classification_code"].to_numpy(),
        "row_label": (figures["subject"] + ": " + figures["text"].str.slice(0, 100)).to_numpy(),
        "column_path": figures["printed_text"].to_numpy(),
        "line_no": figures["line_no"].to_numpy(),
        "actual": np.asarray(actual, dtype=float),
        "expected": np.asarray(expected, dtype=float),
        "n_addends": 1,
        "tolerance": np.asarray(tolerance, dtype=float).round(6),
        "addends": np.asarray(addends, dtype=object),
    })
