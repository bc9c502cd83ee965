"""Great Expectations' list of failing rows, read by column instead of cell by cell.

For a pandas batch validated with ``result_format`` COMPLETE and ``unexpected_index_column_names`` (how the
audit names every failing cell: expectations/suite.py), GX 1.24 builds each failing row's dict with one
``DataFrame.at`` lookup and one column-name check (a case-folding scan of every column) per identity column:
12 of each per row. At 10,000 real-size reports (130,000 comparisons, ~46,000 failing) that was 17 s of the
audit's 31 s in GX, on one core.

``install()`` replaces GX's ``compute_unexpected_pandas_indices`` with one that checks each column name once
and reads each column once, giving the same list (the same keys in the same order, the same values and
value types: ``.at`` and a column's NumPy array both give NumPy scalars for numbers and the object itself
otherwise). Any other case (a named index, ``exclude_unexpected_values``, a repeated row label) goes to GX's
own function. The replacement is installed only on the GX release it was checked against
(``VERIFIED_RELEASE``; ``tests/test_gx_unexpected_rows.py`` compares the two on the audit's own rows), so
a GX upgrade falls back to GX's code until it is checked again.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

VERIFIED_RELEASE = "1.24.1"
MISSING_COLUMN = ('Error: The unexpected_index_column "{column_name:s}" does not exist in Dataframe. '
                  "Please check your configuration and try again.")
_installed = False


def install() -> bool:
    """Replace GX's function where GX calls it (idempotent); False if this GX release was not checked."""
    global _installed
    if _installed:
        return True
    import great_expectations
    from great_expectations.expectations.metrics import util
    from great_expectations.expectations.metrics.map_metric_provider import map_condition_auxilliary_methods

    if great_expectations.__version__ != VERIFIED_RELEASE:
        return False
    original = util.compute_unexpected_pandas_indices

    def compute_unexpected_pandas_indices(domain_records_df, expectation_domain_column_list, result_format,
                                          execution_engine, metrics):
        index_columns = result_format.get("unexpected_index_column_names")
        if (domain_records_df.index.names[0] is not None or not index_columns or not expectation_domain_column_list
                or result_format.get("exclude_unexpected_values", False) or not _by_column(domain_records_df)):
            return original(domain_records_df=domain_records_df,
                            expectation_domain_column_list=expectation_domain_column_list,
                            result_format=result_format, execution_engine=execution_engine, metrics=metrics)
        return unexpected_rows(domain_records_df, expectation_domain_column_list, index_columns,
                               metrics["table.columns"])

    map_condition_auxilliary_methods.compute_unexpected_pandas_indices = compute_unexpected_pandas_indices
    _installed = True
    return True


def _by_column(frame) -> bool:
    """Whether a column's array gives what ``frame.at`` gives: row labels and column names that occur once, and
    columns of NumPy numbers, booleans and objects or of strings (a nullable integer's array would hold Python
    ints and ``pd.NA``; a date's, ``np.datetime64`` where ``.at`` gives ``pd.Timestamp``)."""
    return frame.index.is_unique and frame.columns.is_unique and all(
        isinstance(dtype, pd.StringDtype) or (isinstance(dtype, np.dtype) and dtype.kind not in "mM")
        for dtype in frame.dtypes)


def unexpected_rows(frame, domain_columns: list[str], index_columns: list[str],
                    batch_columns: list[str]) -> list[dict[str, Any]]:
    """One dict per row of ``frame``: GX's keys in GX's order (each domain column, then the identity columns,
    each named as the batch names it), the values as ``frame.at`` gives them."""
    from great_expectations.expectations.metrics.util import get_dbms_compatible_column_names

    if frame.empty:  # GX checks the names row by row: with no failing row, nothing is checked
        return []
    keys: list = []
    for domain_column in domain_columns:
        keys.append(domain_column)
        keys.extend(get_dbms_compatible_column_names(column_names=name, batch_columns_list=batch_columns,
                                                     error_message_template=MISSING_COLUMN)
                    for name in index_columns)
    keys = list(dict.fromkeys(keys))  # a key set twice keeps its first place, as in a dict
    values = [frame[key].to_numpy() for key in keys]
    return [dict(zip(keys, row, strict=True)) for row in zip(*values, strict=True)]
