"""The audit's list of failing rows read by column (expectations/gx_unexpected_rows.py) equals GX's own."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from great_expectations.expectations.metrics import util

from expectations import gx_unexpected_rows
from expectations.comparisons import COLUMNS
from expectations.suite import IDENTITY_COLUMNS, evaluate, gx_rows

RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": IDENTITY_COLUMNS}


def _comparisons() -> pd.DataFrame:
    """Rows shaped as the audit's comparisons: two documents, a missing label, a rounding-only row."""
    return pd.DataFrame({
        "rule_id": ["row_total", "row_total", "hierarchy_rollup", "hierarchy_rollup"],
        "document_id": ["d1", "d1", "d2", "d2"],
        "table_code": ["GK01", "GK01", "GK02", None],
        "row_code": [None, "201", "20101", "2010101"],
        "row_label": ["收入总计", "一般公共服务支出", None, "行政运行"],
        "column_path": ["决算数", "本年支出/合计", "合计", "合计"],
        "line_no": [12, 30, 41, None],
        "actual": [1234.56, 88.0, 10.0, 7.004],
        "expected": [1200.0, 80.0, 10.5, 7.0],
        "tolerance": [0.01, 0.01, 0.0, 0.005],
    }).reindex(columns=COLUMNS)


def _checked(comparisons: pd.DataFrame) -> pd.DataFrame:
    checks = comparisons.reset_index(drop=True).copy()
    checks["check_id"] = checks.index.astype(int)
    checks["difference"] = (checks["actual"] - checks["expected"]).round(6)
    documents = pd.DataFrame({"document_id": ["d1", "d2"], "file_name": ["甲.pdf", "乙.txt"],
                              "unit_name": ["某某局", None], "fiscal_year": [2024, 2023]})
    return gx_rows(checks, documents).drop(columns="rule_id")


def test_installed_on_the_pinned_release():
    # a GX upgrade falls back to GX's own function: this fails so that the replacement is checked again
    assert gx_unexpected_rows.install()


def test_same_rows_keys_order_and_value_types_as_gx():
    frame = _checked(_comparisons())
    failing = frame[frame["beyond_tolerance"] > 0]
    ours = gx_unexpected_rows.unexpected_rows(failing, ["beyond_tolerance"], IDENTITY_COLUMNS, list(frame.columns))
    theirs = util.compute_unexpected_pandas_indices(
        domain_records_df=failing, expectation_domain_column_list=["beyond_tolerance"], result_format=RESULT_FORMAT,
        execution_engine=None, metrics={"table.columns": list(frame.columns)})
    assert len(theirs) == 3  # the rounding-only row (7.004 against 7.0 within 0.005) is not failing
    assert [list(row) for row in ours] == [list(row) for row in theirs]
    for mine, gx in zip(ours, theirs, strict=True):
        assert {k: type(v) for k, v in mine.items()} == {k: type(v) for k, v in gx.items()}
        assert all(v == gx[k] or (isinstance(v, float) and np.isnan(v) and np.isnan(gx[k])) for k, v in mine.items())
    assert ours[0]["document"] == "甲.pdf" and ours[0]["unit"] == "某某局" and ours[0]["printed"] == 1234.56


def test_a_missing_identity_column_is_named_as_gx_names_it():
    frame = _checked(_comparisons())
    with pytest.raises(Exception, match="unexpected_index_column \"nowhere\" does not exist"):
        gx_unexpected_rows.unexpected_rows(frame, ["beyond_tolerance"], ["check_id", "nowhere"], list(frame.columns))


def test_the_audit_finds_the_same_breaches_with_it():
    findings = evaluate(_comparisons())
    breaches = findings[findings["severity"] != "info"].sort_values("line_no")
    assert breaches["line_no"].tolist() == [12, 30, 41]
    assert findings.loc[findings["severity"] == "info", "actual"].tolist() == [7.004]


def test_gx_s_own_function_for_what_a_column_array_gives_otherwise():
    frame = _checked(_comparisons())
    failing = frame[frame["beyond_tolerance"] > 0].assign(seen=pd.Timestamp("2026-12-02"))
    assert not gx_unexpected_rows._by_column(failing)  # .at gives pd.Timestamp, the array np.datetime64
    assert gx_unexpected_rows._by_column(failing.drop(columns="seen"))
    # nothing failing: nothing to name, as GX checks the identity columns row by row
    assert gx_unexpected_rows.unexpected_rows(failing.iloc[:0], ["beyond_tolerance"], ["nowhere"], []) == []
