"""A 决算 report prints 公开01–07 (and 08/09 when it has such funds, often as an empty table with a note).

A report that stops before its last tables — a truncated download, a page range exported by mistake —
keeps every table it does print internally consistent, so no arithmetic rule notices. This check
counts the standard tables found in each 决算 document that has its 公开01: fewer than 公开01–07 is a
``warning`` naming the missing ones (the printed tables are still published).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from expectations.comparisons import COLUMNS, comparison_rows

FINAL_ACCOUNTS_TABLES = ("GK01", "GK02", "GK03", "GK04", "GK05", "GK06", "GK07")


def completeness_comparisons(tables: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    finals = documents.loc[documents["report_kind"] == "final_accounts", ["document_id"]]
    found = tables[tables["table_code"].isin(FINAL_ACCOUNTS_TABLES)].merge(finals, on="document_id")
    if found.empty:
        return pd.DataFrame(columns=COLUMNS)
    per_document = found.groupby("document_id").agg(
        codes=("table_code", lambda s: set(s)), line_no=("last_line", "max")).reset_index()
    per_document = per_document[per_document["codes"].map(lambda codes: "GK01" in codes)]
    if per_document.empty:
        return pd.DataFrame(columns=COLUMNS)
    missing = per_document["codes"].map(lambda codes: [c for c in FINAL_ACCOUNTS_TABLES if c not in codes])
    frame = per_document.assign(table_code=None)
    return comparison_rows(
        "standard_tables_present", frame, row_label=["公开01–07"] * len(frame), column_path="表数",
        actual=per_document["codes"].map(len), expected=np.full(len(frame), len(FINAL_ACCOUNTS_TABLES)),
        n_addends=np.zeros(len(frame), dtype=int), tolerance=np.zeros(len(frame)),
        addends=missing.map(lambda codes: "missing: " + ", ".join(codes) if codes else "all present"))
