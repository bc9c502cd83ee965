"""Frames read from the local build database (expectations/build_database.py ``duckdb_frame``) are the frames
DuckDB's own ``df()`` gives, column for column and dtype for dtype: the rules were written against those."""

import duckdb
import pandas as pd
import pytest

from expectations.build_database import BuildDatabase, duckdb_frame

ROWS = """select * from (values
    ('一般公共预算', 1, 1::integer, 2::bigint, 1.5::double, 1.25::decimal(10, 2), true, true,
     timestamp '2024-01-01 01:02:03.123456', date '2024-01-02', 5::hugeint, 3::smallint, 1.5::float, 7::utinyint,
     [1, 2], {'a': 1}),
    (null, null, 2, 3, null, null, null, false, null, null, null, null, null, null, null, null)
) as t(text, int_with_null, int, big, dbl, dec, bool_with_null, bool, ts, dt, huge, small, flt, tiny, list, struct)"""

QUERIES = [
    ROWS,
    f"select * from ({ROWS}) where text is not null",  # no NULL left: NumPy dtypes
    f"select * from ({ROWS}) where text is null",  # every value NULL: DuckDB's object and nullable dtypes
    f"select * from ({ROWS}) where false",  # no rows
    "select null::varchar as text, null::integer as n, null::boolean as b from range(3)",
    "select 1 as a, 'x' as a",  # a repeated name
    "select range::integer as n, 'row ' || range as label from range(100000)",
    # Arrow's own cast of these to float64 is off by one unit in the last place for ~14 % of them
    "select ((range * 7919) % 100000000 / 100.0)::decimal(18, 2) as amount_wan, "
    "((range * 7919) % 100000000 / 10000.0)::decimal(38, 4) as rate from range(20000)",
]


@pytest.mark.parametrize("sql", QUERIES)
def test_the_same_frame_as_duckdbs_own(sql):
    con = duckdb.connect()
    pd.testing.assert_frame_equal(duckdb_frame(con.sql(sql).to_arrow_table()), con.sql(sql).df(), check_exact=True)


def test_the_build_database_reads_through_it(tmp_path):
    path = tmp_path / "build.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(f"create table t as {ROWS}")
    with BuildDatabase(path, read_only=True) as build:
        frame = build.df("select * from t where int = ?", [1])
        expected = duckdb.connect(str(path), read_only=True).sql("select * from t where int = 1").df()
    pd.testing.assert_frame_equal(frame, expected, check_exact=True)
    assert frame.loc[0, "text"] == "一般公共预算" and str(frame["int_with_null"].dtype) == "int32"
