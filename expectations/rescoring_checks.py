"""Formula-scored indicators re-scored from their own printed 评分标准 and compared with the self-score.

The common framework scores some indicators by a rate in bands, e.g. 编外人员控制率: “1. 比率<5%的，得1分；
2. 5%≤比率≤10%的，得0.5分；3. 比率>10%的，得0分” and 财政供养人员控制率: “≤100%的，得1分；>100%的，得0分”.
The bands are read from the indicator's printed scoring standard (not assumed), the rate from the
report's own staffing figures (recomputed from the headcounts where printed, else as stated), and
the self-score printed in the score table must equal the band's points. A mismatch is a ``warning``:
the tree's arithmetic is intact, the self-assessment disagrees with its own rule.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from expectations.comparisons import COLUMNS, comparison_rows

RATED_INDICATORS = ("财政供养人员控制率", "编外人员控制率")
_POINTS = re.compile(r"得(\d+(?:\.\d+)?)分")
_BETWEEN = re.compile(r"(\d+(?:\.\d+)?)%(<|≤|<=)[^<≤%\d]*?率(<|≤|<=)(\d+(?:\.\d+)?)%")
_ONE_SIDED = re.compile(r"率(<|≤|<=|>|≥|>=)(\d+(?:\.\d+)?)%")
_ITEM_NUMBER = re.compile(r"^\s*\d+[.、]\s*")


def score_bands(standard: str | None) -> list[tuple[float, bool, float, bool, float]]:
    """(low, low inclusive, high, high inclusive, points) per band of a printed scoring standard."""
    if not standard:
        return []
    text = unicodedata.normalize("NFKC", standard).replace(" ", "")
    bands = []
    for item in re.split(r"[;；。]", text):
        item = _ITEM_NUMBER.sub("", item)
        points = _POINTS.search(item)
        if not points:
            continue
        between = _BETWEEN.search(item)
        if between:
            low, low_op, high_op, high = between.groups()
            bands.append((float(low), low_op != "<", float(high), high_op != "<", float(points.group(1))))
            continue
        one_sided = _ONE_SIDED.search(item)
        if one_sided:
            op, bound = one_sided.group(1), float(one_sided.group(2))
            if op in ("<", "≤", "<="):
                bands.append((-np.inf, True, bound, op != "<", float(points.group(1))))
            else:
                bands.append((bound, op not in (">",), np.inf, True, float(points.group(1))))
    return bands


def band_points(bands, rate: float) -> float | None:
    for low, low_in, high, high_in, points in bands:
        if (rate > low or (low_in and rate == low)) and (rate < high or (high_in and rate == high)):
            return points
    return None


def rescoring_comparisons(nodes: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    if nodes.empty or claims.empty:
        return pd.DataFrame(columns=COLUMNS)
    rates = claims[claims["claim_kind"] == "staffing_rate"].copy()
    if rates.empty:
        return pd.DataFrame(columns=COLUMNS)
    computed = rates["numerator"] / rates["denominator"].where(rates["denominator"] > 0) * 100
    rates["rate"] = computed.round(2).where(computed.notna(), rates["stated"])
    rates = rates.dropna(subset=["rate"]).drop_duplicates(["document_id", "target_row"])
    scored = nodes[nodes["indicator_name"].isin(RATED_INDICATORS) & nodes["score_printed"].notna()]
    merged = scored.merge(rates[["document_id", "target_row", "rate"]],
                          left_on=["document_id", "indicator_name"], right_on=["document_id", "target_row"])
    if merged.empty:
        return pd.DataFrame(columns=COLUMNS)
    merged["expected"] = [band_points(score_bands(standard), rate)
                          for standard, rate in zip(merged["scoring_standard"], merged["rate"], strict=True)]
    merged = merged[merged["expected"].notna()]
    return comparison_rows(
        "indicator_rescored", merged, row_label=merged["indicator_path"], column_path="得分",
        actual=merged["score_printed"], expected=merged["expected"].astype(float),
        n_addends=np.zeros(len(merged), dtype=int), tolerance=np.full(len(merged), 0.005),
        addends="评分标准 at rate " + merged["rate"].map("{:g}%".format).astype(str))
