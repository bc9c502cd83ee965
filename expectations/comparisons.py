"""Checks as data: one row per comparison of a printed value with the value a rule expects.

Every function takes the audited amounts (int_amounts_classified as a DataFrame) and returns rows
with the columns of ``COLUMNS``. All work is vectorised (groupby/merge), so the cost grows with the
number of cells, not with the number of documents times rules. Amounts are in 万元; the tolerance
follows the rounding model of catalog.yml in the table's printed unit.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ingest.amounts import UNIT_SCALE_TO_WAN

COLUMNS = [
    "rule_id", "document_id", "table_code", "side", "row_code", "row_label", "column_path", "line_no",
    "actual", "expected", "n_addends", "tolerance", "addends",
]
HALF_CENT = 0.005
TOTAL_LEAVES = ("合计", "小计")
NUMBERED = re.compile(r"^[一二三四五六七八九十]+、")
BALANCE_WORDS = ("结转", "结余", "弥补", "分配")


def all_comparisons(amounts: pd.DataFrame) -> pd.DataFrame:
    frame = _prepare(amounts)
    parts = [
        hierarchy_rollup(frame),
        column_total(frame),
        row_total(frame),
        *two_sided(frame),
        *basic_expenditure(frame),
        *cross_table(frame),
    ]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(parts, ignore_index=True)[COLUMNS]
    out["actual"] = out["actual"].astype(float).round(6)
    out["expected"] = out["expected"].astype(float).round(6)
    return out


def _prepare(amounts: pd.DataFrame) -> pd.DataFrame:
    frame = amounts.copy()
    frame["amount"] = frame["amount_wan"].astype(float)
    # half a unit of the last printed digit, in 万元: 0.005 for 2,940.05 万元, 0.5 元 for 164,978,640 元
    decimals = pd.Series(_decimals(frame["value_text"]), index=frame.index, dtype=float)
    frame["scale"] = frame["printed_unit"].map(UNIT_SCALE_TO_WAN).fillna(1.0) * (10.0 ** (2 - decimals))
    frame["side"] = frame["side"].fillna("")
    frame["row_code"] = frame["row_code"].astype(object).where(frame["row_code"].notna(), None)
    frame["classification_code"] = frame["classification_code"].astype(object).where(
        frame["classification_code"].notna(), None)
    frame["leaf"] = pd.Series(_leaves(frame["column_path"]), index=frame.index, dtype=frame["column_path"].dtype)
    return frame


# a plain loop over the values: pandas' .str.extract and .str.split ran a Python call per value on top of one
# (their object-array path), 15 % of a refresh's audit
_DECIMALS = re.compile(r"\.(\d+)\s*$")


def _decimals(values: pd.Series) -> list[int]:
    """Digits printed after the decimal point of each value (0 for none; a value that is not text is read as its
    ``str``, as ``astype(str)`` read it: a missing one as nan, None or <NA>, which print none)."""
    search = _DECIMALS.search
    return [len(match.group(1)) if (match := search(text if isinstance(text, str) else str(text))) else 0
            for text in values.to_numpy(dtype=object)]


def _leaves(paths: pd.Series) -> list:
    """The last part of each '/'-joined column path (a missing path stays missing)."""
    return [path.rsplit("/", 1)[-1] if isinstance(path, str) else path for path in paths.to_numpy(dtype=object)]


def _tolerance(n_addends: pd.Series, scale: pd.Series, extra: int = 1) -> pd.Series:
    """0.005 printed units per rounded value, scaled to 万元 and to the printed precision (``scale``)."""
    return (HALF_CENT * (n_addends + extra) * scale).round(9)


def _checks(rule_id: str, target: pd.DataFrame, expected: pd.Series, n: pd.Series, addends: pd.Series,
            extra: int = 1) -> pd.DataFrame:
    return pd.DataFrame({
        "rule_id": rule_id,
        "document_id": target["document_id"].to_numpy(),
        "table_code": target["table_code"].to_numpy(),
        "side": target["side"].to_numpy(),
        "row_code": target["row_code"].to_numpy(),
        "row_label": target["row_label"].to_numpy(),
        "column_path": target["column_path"].to_numpy(),
        "line_no": target["line_no"].to_numpy(),
        "actual": target["amount"].to_numpy(),
        "expected": expected.to_numpy(),
        "n_addends": n.to_numpy(),
        "tolerance": _tolerance(n.reset_index(drop=True), target["scale"].reset_index(drop=True), extra).to_numpy(),
        "addends": addends.to_numpy(),
    })


def comparison_rows(rule_id: str, frame: pd.DataFrame, *, row_label, column_path, actual, expected, n_addends,
                    addends, tolerance=None) -> pd.DataFrame:
    """Comparison rows for rules outside the code-keyed tables (score trees, budget tables): keys from
    ``frame`` (document_id, table_code, line_no), the rest given; tolerance 0.005 × (n + 1) by default."""
    n = np.asarray(n_addends, dtype=int)
    return pd.DataFrame({
        "rule_id": rule_id,
        "document_id": frame["document_id"].to_numpy(),
        "table_code": frame["table_code"].to_numpy(),
        "side": "",
        "row_code": None,
        "row_label": np.asarray(row_label, dtype=object),
        "column_path": np.asarray(column_path, dtype=object) if not isinstance(column_path, str) else column_path,
        "line_no": frame["line_no"].to_numpy(),
        "actual": np.asarray(actual, dtype=float),
        "expected": np.asarray(expected, dtype=float),
        "n_addends": n,
        "tolerance": np.round(HALF_CENT * (n + 1) if tolerance is None else np.asarray(tolerance, dtype=float), 9),
        "addends": np.asarray(addends, dtype=object),
    }, index=range(len(frame)))[COLUMNS]


def sum_children(children: pd.DataFrame, keys: list[str], label: str) -> pd.DataFrame:
    """Σ and count of the children of each key, and their labels joined (a+b+c) for the finding's text.

    The sums are vectorised; the labels are joined over one stable sort instead of a Python call per
    group, which dominated the audit on large warehouses."""
    grouped = children.groupby(keys, sort=False, dropna=False)
    sums = grouped["amount"].agg(expected="sum", n="size").reset_index()
    if sums.empty:
        return sums.assign(addends=pd.Series(dtype=object))
    group = grouped.ngroup().to_numpy()
    order = np.argsort(group, kind="stable")
    labels = children[label].astype(str).to_numpy()[order]
    bounds = np.cumsum(np.bincount(group, minlength=len(sums)))[:-1]
    sums["addends"] = ["+".join(part) for part in np.split(labels, bounds)]
    return sums


def hierarchy_rollup(frame: pd.DataFrame) -> pd.DataFrame:
    """类 = Σ款, 款 = Σ项 in every column; only children that carry a value are added."""
    coded = frame[frame["row_code"].notna()].copy()
    if coded.empty:
        return pd.DataFrame(columns=COLUMNS)
    coded["parent_code"] = coded["row_code"].where(coded["row_code"].str.len() > 3).str[:-2]
    keys = ["document_id", "table_code", "side", "column_path"]
    children = sum_children(coded[coded["parent_code"].notna()], keys + ["parent_code"], "row_code")
    merged = coded.merge(children, left_on=keys + ["row_code"], right_on=keys + ["parent_code"],
                         suffixes=("", "_child"))
    return _checks("hierarchy_rollup", merged, merged["expected"], merged["n"], merged["addends"])


def column_total(frame: pd.DataFrame) -> pd.DataFrame:
    """合计 row = Σ 类 rows, per column, in tables whose rows carry codes."""
    coded_tables = frame.loc[frame["row_code"].notna(), ["document_id", "table_code"]].drop_duplicates()
    scoped = frame.merge(coded_tables, on=["document_id", "table_code"])
    keys = ["document_id", "table_code", "side", "column_path"]
    classes = scoped[scoped["row_code"].notna() & (scoped["row_code"].str.len() == 3)]
    sums = sum_children(classes, keys, "row_code")
    totals = scoped[scoped["row_code"].isna() & scoped["row_label"].isin(["合计", "总计"])]
    merged = totals.merge(sums, on=keys)
    return _checks("column_total", merged, merged["expected"], merged["n"], merged["addends"])


def _column_roles(paths: list[str]) -> list[tuple[str, str]]:
    """(component_path, total_path) pairs for the total columns of one table's header."""
    split = {p: tuple(p.split("/")) for p in paths}

    def is_total(parts: tuple[str, ...]) -> bool:
        leaf = parts[-1]
        return leaf in TOTAL_LEAVES or (leaf.startswith("本年") and leaf.endswith("合计"))

    pairs = []
    for total, parts in split.items():
        if not is_total(parts):
            continue
        group = parts[:-1]
        below = {other: oparts for other, oparts in split.items()
                 if other != total and oparts[: len(group)] == group and len(oparts) > len(group)}
        # a sub-group (基本支出 over 人员经费 | 公用经费) counts once: its own total column where it prints one,
        # else its columns one level down
        counted = {oparts[len(group)] for oparts in below.values()
                   if len(oparts) == len(parts) + 1 and is_total(oparts) or len(oparts) == len(parts)}
        for other, oparts in below.items():
            direct = len(oparts) == len(parts) and not is_total(oparts)
            subgroup_total = len(oparts) == len(parts) + 1 and is_total(oparts)
            subgroup_part = (len(oparts) == len(parts) + 1 and not is_total(oparts)
                             and oparts[len(group)] not in counted)
            if direct or subgroup_total or subgroup_part:
                pairs.append((other, total))
    return pairs


def row_total(frame: pd.DataFrame) -> pd.DataFrame:
    """A total column (合计, 小计, 本年收入合计 …) = Σ its sibling columns, per row."""
    headers = frame.groupby(["table_code", "side"], sort=False)["column_path"].unique()
    roles = [
        (table_code, side, component, total)
        for (table_code, side), paths in headers.items()
        for component, total in _column_roles(list(paths))
    ]
    if not roles:
        return pd.DataFrame(columns=COLUMNS)
    role_frame = pd.DataFrame(roles, columns=["table_code", "side", "column_path", "total_path"])
    row_keys = ["document_id", "table_code", "side", "line_no", "row_label"]
    components = frame.merge(role_frame, on=["table_code", "side", "column_path"])
    sums = sum_children(components, row_keys + ["total_path"], "column_path")
    totals = frame.merge(sums, left_on=row_keys + ["column_path"], right_on=row_keys + ["total_path"])
    return _checks("row_total", totals, totals["expected"], totals["n"], totals["addends"])


def two_sided(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """公开01/04: side subtotals, grand totals, carry-over breakdowns and the income = expenditure balance."""
    sided = frame[frame["side"].isin(["income", "expenditure"])].copy()
    if sided.empty:
        return []
    sided["is_subtotal"] = sided["line_item"].str.startswith("本年") & sided["line_item"].str.endswith("合计")
    # numbered rows below 本年收入合计 (一、一般公共预算财政拨款 under 年初结转和结余) break a carry-over down
    subtotal_line = (sided[sided["is_subtotal"]].groupby(["document_id", "table_code", "side"])["line_no"].min()
                     .rename("subtotal_line"))
    sided = sided.join(subtotal_line, on=["document_id", "table_code", "side"])
    below_subtotal = sided["subtotal_line"].notna() & (sided["line_no"] > sided["subtotal_line"])
    sided["numbered"] = sided["row_label"].str.match(NUMBERED) & ~below_subtotal
    sided["is_balance_item"] = sided["line_item"].str.contains("|".join(BALANCE_WORDS)) & ~sided["numbered"]
    sided["is_grand_total"] = sided["line_item"] == "总计"
    keys = ["document_id", "table_code", "side", "column_path"]
    out = []

    items = sum_children(sided[sided["numbered"]], keys, "line_item")
    subtotals = sided[sided["is_subtotal"]].merge(items, on=keys)
    out.append(_checks("side_subtotal", subtotals, subtotals["expected"], subtotals["n"], subtotals["addends"]))

    parts = sided[sided["is_subtotal"] | sided["is_balance_item"]]
    grand = sum_children(parts, keys, "line_item")
    grand_rows = sided[sided["is_grand_total"]].merge(grand, on=keys)
    out.append(_checks("side_grand_total", grand_rows, grand_rows["expected"], grand_rows["n"], grand_rows["addends"]))

    out.append(_carry_over_breakdown(sided, keys))

    totals = sided[sided["is_grand_total"]].sort_values("column_number", na_position="last")
    first = totals.groupby(["document_id", "table_code", "side"], sort=False).head(1)
    income = first[first["side"] == "income"]
    expenditure = first.loc[first["side"] == "expenditure", ["document_id", "table_code", "amount"]]
    balance = income.merge(expenditure.rename(columns={"amount": "expected"}), on=["document_id", "table_code"])
    one = pd.Series(np.ones(len(balance), dtype=int))
    out.append(_checks("two_sided_balance", balance, balance["expected"], one, pd.Series(["支出总计"] * len(balance))))
    return out


def _carry_over_breakdown(sided: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows printed under a 结转/结余 row (unnumbered, no total words) are its breakdown."""
    # printed order: the 行次 where the table numbers its rows, else the line (PDFs rarely print 行次)
    numbers_rows = sided.groupby(["document_id", "table_code"])["row_number"].transform(lambda s: s.notna().any())
    ordered = sided[~numbers_rows | sided["row_number"].notna()]
    ordered = ordered.assign(order=ordered["row_number"].fillna(ordered["line_no"])).sort_values(keys + ["order"])
    if ordered.empty:
        return pd.DataFrame(columns=COLUMNS)
    breaks = ordered["is_balance_item"] | ordered["numbered"] | ordered["is_subtotal"] | ordered["is_grand_total"]
    ordered = ordered.assign(block=breaks.groupby([ordered[k] for k in keys]).cumsum())
    heads = ordered[ordered["is_balance_item"]]
    children = ordered[~breaks]
    sums = sum_children(children, keys + ["block"], "line_item")
    merged = heads.merge(sums, on=keys + ["block"])
    return _checks("carry_over_breakdown", merged, merged["expected"], merged["n"], merged["addends"])


def basic_expenditure(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """公开06 totals against its classes, and against 公开05's basic expenditure."""
    gk06 = frame[frame["table_code"] == "GK06"]
    if gk06.empty:
        return []
    keys = ["document_id"]
    classes = gk06[gk06["row_code"].notna() & (gk06["row_code"].str.len() == 3)]
    personnel = gk06[gk06["row_label"] == "人员经费合计"]
    public = gk06[gk06["row_label"] == "公用经费合计"]
    both = personnel.merge(public[keys + ["amount"]], on=keys, suffixes=("", "_public"))
    both = both.assign(amount=both["amount"] + both["amount_public"], row_label="人员经费合计+公用经费合计")
    out = []

    class_sums = sum_children(classes, keys, "row_code")
    whole = both.merge(class_sums, on=keys)
    out.append(_checks("basic_expenditure_classes", whole, whole["expected"], whole["n"], whole["addends"], extra=2))

    split = sum_children(classes[classes["row_code"].isin(["301", "303"])], keys, "row_code")
    personnel_split = personnel.merge(split, on=keys)
    out.append(_checks("personnel_expenditure_split", personnel_split, personnel_split["expected"],
                       personnel_split["n"], personnel_split["addends"]))

    gk05 = frame[(frame["table_code"] == "GK05") & (frame["row_label"] == "合计")]
    gk05 = gk05[gk05["leaf"] == "基本支出"]
    cross = both.merge(gk05[keys + ["amount"]].rename(columns={"amount": "expected"}), on=keys)
    n = pd.Series(np.full(len(cross), 2))
    out.append(_checks("basic_expenditure_reconciles", cross, cross["expected"], n,
                       pd.Series(["公开05 合计 基本支出"] * len(cross))))
    return out


def _keyed(rows: pd.DataFrame, key: pd.Series) -> pd.DataFrame:
    return rows.assign(key=key.to_numpy())


def _reconcile(rule_id: str, printed: pd.DataFrame, reference: pd.DataFrame, what: str) -> pd.DataFrame:
    """printed rows (with key) against the same figure printed in another table (reference: key, expected)."""
    merged = printed.merge(reference[["document_id", "key", "expected"]], on=["document_id", "key"])
    one = pd.Series(np.ones(len(merged), dtype=int))
    return _checks(rule_id, merged, merged["expected"], one, pd.Series([what] * len(merged)))


def _class_or_total(rows: pd.DataFrame, total_label: str) -> pd.DataFrame:
    """Rows of 类 codes (printed, or resolved from a 类 name) and the table's total row, keyed alike."""
    code = rows["row_code"].where(rows["row_code"].notna(), rows["classification_code"])
    is_class = code.notna() & (code.str.len() == 3)
    is_total = rows["line_item"].isin([total_label, "合计"]) & code.isna()
    picked = rows[is_class | is_total]
    key = code[is_class | is_total].where(code[is_class | is_total].notna(), "total")
    return _keyed(picked, key)


def cross_table(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """The same figure printed in two tables: 公开01↔02 (income by source), 01↔03 (expenditure by
    class and in total), 04↔05 (general public budget by class and in total)."""
    out = []
    gk01, gk02 = frame[frame["table_code"] == "GK01"], frame[frame["table_code"] == "GK02"]
    gk03, gk04, gk05 = (frame[frame["table_code"] == code] for code in ("GK03", "GK04", "GK05"))

    income = gk01[gk01["side"] == "income"]
    by_source = gk02[gk02["row_label"] == "合计"]
    reference = _keyed(by_source, by_source["leaf"]).rename(columns={"amount": "expected"})
    out.append(_reconcile("income_by_source_reconciles", _keyed(income, income["line_item"]), reference,
                          "公开02 合计"))

    spending = _class_or_total(gk01[gk01["side"] == "expenditure"], "本年支出合计")
    all_funds = _class_or_total(gk03[gk03["leaf"] == "本年支出合计"], "本年支出合计")
    out.append(_reconcile("expenditure_by_class_reconciles", spending,
                          all_funds.rename(columns={"amount": "expected"}), "公开03 本年支出合计"))

    appropriation = gk04[(gk04["side"] == "expenditure") & (gk04["leaf"] == "一般公共预算财政拨款")]
    general_budget = gk05[gk05["column_path"].str.endswith("小计") | (gk05["leaf"] == "本年支出")]
    out.append(_reconcile("general_budget_reconciles", _class_or_total(appropriation, "本年支出合计"),
                          _class_or_total(general_budget, "本年支出合计").rename(columns={"amount": "expected"}),
                          "公开05 本年支出 小计"))
    return out
