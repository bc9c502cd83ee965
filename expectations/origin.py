"""Whose problem a finding is: the document's own arithmetic (``source``) or the reader's (``reader``).

Reader problems are the parse issues inside a table: rows that could not be read or placed (amounts
without a column, two amounts under one column label, text where a number belongs), tables whose header
or layout could not be read, score tables that cannot be recovered, tables held apart as a second print.
They are findings of origin ``reader`` themselves (``unreadable_row``), as is an audit that could not run
(``audit_failed``). An arithmetic finding is ``reader`` too when the comparison may involve a row the
reader had trouble with, because then the breach may be the reader's, not the document's:

* a row's total (``row_total``) involves that row only: reader when a problem is on its line;
* a code's roll-up (``hierarchy_rollup``) involves the code and its children: reader when a problem is on
  its line, on a row whose code is related to it (a prefix either way), or on a row whose code is unknown;
* a table total over the 类 rows (``column_total``): reader when a problem is on a 类 row, the total's
  line, or a row whose code is unknown;
* any other rule of a table: reader when the table has any problem (the rows it sums cannot be told);
* rules across tables and quotes in the narrative: reader when the table named by the finding, or for
  rules across tables and document-wide rules any table of the document, has a problem;
* a problem with the table itself (its header, its title line, a score table's layout): every finding of
  that table is reader.

The aim: no ``source`` finding on a document whose printed arithmetic is consistent.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from expectations.catalog import rules

READER_RULES = frozenset({"unreadable_row", "audit_failed"})
DOCUMENT_WIDE_SCOPES = frozenset({"cross_table", "document"})
PROBLEM_COLUMNS = ["document_id", "table_code", "line_no", "row_code", "table_level"]
CODE = re.compile(r"^\d{3}(?:\d{2}){0,2}$")  # 类 201, 款 20101, 项 2010101


def reader_problems(issues: pd.DataFrame, amounts: pd.DataFrame, tables: pd.DataFrame,
                    score_tables: pd.DataFrame) -> pd.DataFrame:
    """Where the reader had trouble, one row per (issue line, code printed on it): ``table_level`` when the
    issue is about the table (no line, its title line, a performance table) rather than one row.

    ``issues``: stg_raw__parse_issues; ``amounts``: document_id, table_code, line_no, row_code of the cells;
    ``tables``: document_id, table_code, first_line of the amount tables; ``score_tables``: document_id,
    table_code of the performance tables."""
    inside = issues.loc[issues["table_code"].notna(), ["document_id", "table_code", "line_no", "line_text"]]
    inside = inside.assign(printed_code=inside["line_text"].map(_leading_code)).drop(columns="line_text")
    inside = inside.drop_duplicates()
    if inside.empty:
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    titles = tables[["document_id", "table_code", "first_line"]].drop_duplicates(["document_id", "table_code"])
    inside = inside.merge(titles, on=["document_id", "table_code"], how="left")
    performance = score_tables[["document_id", "table_code"]].drop_duplicates().assign(is_performance=True)
    inside = inside.merge(performance, on=["document_id", "table_code"], how="left")
    inside["table_level"] = (inside["line_no"].isna() | inside["first_line"].isna()
                             | (inside["line_no"] == inside["first_line"]) | inside["is_performance"].eq(True))
    keys = ["document_id", "table_code", "line_no"]
    codes = amounts.loc[amounts["row_code"].notna(), [*keys, "row_code"]]
    codes = codes.merge(inside[keys].drop_duplicates(), on=keys).drop_duplicates()  # the issue lines only
    located = inside.merge(codes, on=keys, how="left")
    # a row whose amounts were not kept has no cells: the code printed at its start, if any
    located["row_code"] = located["row_code"].fillna(located["printed_code"])
    located["row_code"] = located["row_code"].astype(object).where(located["row_code"].notna(), None)
    return located[PROBLEM_COLUMNS].reset_index(drop=True)


def _leading_code(line_text) -> str | None:
    if not isinstance(line_text, str):
        return None
    first = line_text.strip().split("\t", 1)[0].strip()
    return first if CODE.match(first) else None


def assign_origin(findings: pd.DataFrame, problems: pd.DataFrame) -> pd.Series:
    """``source`` or ``reader`` for each finding (aligned with ``findings``' index)."""
    origin = pd.Series("source", index=findings.index, dtype=object)
    if findings.empty:
        return origin
    origin[findings["rule_id"].isin(READER_RULES)] = "reader"
    if problems.empty:
        return origin
    catalog = rules()
    checked = findings[~findings["rule_id"].isin(READER_RULES)]
    scope = checked["rule_id"].map(lambda r: catalog[r].scope if r in catalog else "table")
    wide = checked[scope.isin(DOCUMENT_WIDE_SCOPES)]
    origin[wide.index[wide["document_id"].isin(set(problems["document_id"]))]] = "reader"
    by_table = checked[~scope.isin(DOCUMENT_WIDE_SCOPES)]
    pairs = (by_table[["document_id", "table_code", "rule_id", "row_code", "line_no"]].rename_axis("finding")
             .reset_index()
             .merge(problems.rename(columns={"line_no": "problem_line", "row_code": "problem_code"}),
                    on=["document_id", "table_code"]))
    if pairs.empty:
        return origin
    origin[pairs.loc[_involved(pairs), "finding"].unique()] = "reader"
    return origin


def _involved(pairs: pd.DataFrame) -> pd.Series:
    """Whether the problem row of each (finding, problem) pair may be part of the finding's comparison."""
    same_line = pairs["problem_line"].notna() & (pairs["problem_line"] == pairs["line_no"])
    unknown_code = pairs["problem_code"].isna()
    related = np.array([
        isinstance(code, str) and isinstance(target, str) and (code.startswith(target) or target.startswith(code))
        for code, target in zip(pairs["problem_code"], pairs["row_code"], strict=True)], dtype=bool)
    is_class = pairs["problem_code"].map(lambda c: isinstance(c, str) and len(c) == 3).astype(bool)
    rule = pairs["rule_id"]
    involved = pd.Series(True, index=pairs.index)  # any other rule: the table's rows cannot be told apart
    involved[rule == "row_total"] = same_line[rule == "row_total"]
    rollup = rule == "hierarchy_rollup"
    involved[rollup] = (same_line | unknown_code | related)[rollup]
    total = rule == "column_total"
    involved[total] = (same_line | unknown_code | is_class)[total]
    return involved | pairs["table_level"].astype(bool)
