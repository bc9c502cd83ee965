"""Row counts and column schemas on the dbt assets, read from the build database once dbt has finished.

dagster-dbt's own ``fetch_row_counts()`` / ``fetch_column_metadata()`` query while dbt still runs, and a
DuckDB file takes no second process while dbt holds it for writing; so the counts and the column types of
every model dbt built are read here afterwards, in one query each, and added to the model's output
(``dagster/row_count``, ``dagster/column_schema``): the UI shows the row count and each column's type.

dbt's test results are not Dagster events here (the translator loads no asset checks; dagster-dbt would log
each as an observation of every model it reads, one stored event each): the step logs one line with how many
tests ran, by status.
"""

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
from dagster import AssetObservation, Output, TableColumn, TableSchema

from orchestration.warehouse import WarehousePaths


def with_table_metadata(events: Iterable, paths: WarehousePaths, manifest_path: Path, log=None) -> Iterator:
    """The events of a dbt run, its outputs with their relation's row count and column schema, without the
    observations dagster-dbt makes of test results (counted in one log line instead)."""
    tests: dict[str, str] = {}  # test -> status (dagster-dbt observes each model a test reads)
    kept = []
    for event in events:
        if isinstance(event, AssetObservation) and (_unique_id(event) or "").startswith("test."):
            tests[_unique_id(event)] = _status(event)
        else:
            kept.append(event)
    events = kept
    if tests and log is not None:
        by_status = Counter(tests.values())
        log.info("dbt tests: " + ", ".join(f"{n} {status}" for status, n in sorted(by_status.items())))
    nodes = json.loads(manifest_path.read_text(encoding="utf-8"))["nodes"]
    relations = {}
    for event in events:
        unique_id = _unique_id(event)
        node = nodes.get(unique_id or "")
        if node and node.get("resource_type") in ("model", "seed", "snapshot"):
            relations[unique_id] = (node["schema"], node.get("alias") or node["name"])
    described = describe(paths.build_db, paths.raw_db, set(relations.values())) if relations else {}
    for event in events:
        relation = relations.get(_unique_id(event) or "")
        if isinstance(event, Output) and relation in described:
            rows, schema = described[relation]
            event = event.with_metadata({**event.metadata, "dagster/row_count": rows,
                                         "dagster/column_schema": schema})
        yield event


def _status(event) -> str:
    value = getattr(event, "metadata", {}).get("status")
    return str(getattr(value, "value", value))


def _unique_id(event) -> str | None:
    value = getattr(event, "metadata", {}).get("unique_id")
    return getattr(value, "value", value)


def describe(build_db: Path, raw_db: Path, relations: set[tuple[str, str]]
             ) -> dict[tuple[str, str], tuple[int, TableSchema]]:
    """(schema, table) -> (row count, column schema) of the tables and views of the build database."""
    with duckdb.connect(str(build_db), read_only=True) as con:
        con.execute(f"attach '{raw_db}' as raw (read_only)")  # the staging views read the raw layer
        columns = con.execute(
            "select table_schema, table_name, column_name, data_type from information_schema.columns "
            "where table_catalog = 'build' order by table_schema, table_name, ordinal_position"
        ).fetchall()
        schemas: dict[tuple[str, str], list[TableColumn]] = {}
        for schema, table, column, data_type in columns:
            if (schema, table) in relations:
                schemas.setdefault((schema, table), []).append(TableColumn(name=column, type=data_type))
        found = {}
        for schema, table in sorted(schemas):
            try:
                (rows,) = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()
            except duckdb.Error:  # a view over a source this connection cannot see
                continue
            found[(schema, table)] = (int(rows), TableSchema(columns=schemas[(schema, table)]))
    return found
