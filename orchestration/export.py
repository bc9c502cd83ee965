"""`fiscal export`: the published marts as files an analyst opens anywhere.

* Parquet: one typed file per table (DuckDB's writer: DECIMAL, INTEGER, TIMESTAMP … kept).
* CSV: one file per table, UTF-8 with a byte-order mark (Excel on Chinese Windows reads it as UTF-8, not
  GBK), a header of column names, NULL as an empty field.
* XLSX: one workbook, one sheet per table with the columns' Chinese terms as headers (from the yml docs
  beside the models), and a sheet 字段说明 listing every column with its full description. A table longer
  than a sheet goes on in further sheets (name (2), …): nothing is cut.

Export reads the release that is published when it starts (the file a reader opened stays consistent).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from pathlib import Path

import duckdb
import yaml

from orchestration.warehouse import REPO_ROOT

FORMATS = ("parquet", "csv", "xlsx")
MODEL_DOCS = REPO_ROOT / "dbt_project" / "models"
XLSX_MAX_ROWS = 1_048_576 - 1  # a sheet's rows, less the header
SHEET_NAME_MAX = 31
BOM = "\ufeff".encode()
HAN = re.compile(r"[\u4e00-\u9fff]")


def column_docs() -> dict[str, dict[str, str]]:
    """table -> column -> its description (Chinese term, then English), from the models' yml files."""
    docs: dict[str, dict[str, str]] = {}
    for yml in sorted(MODEL_DOCS.rglob("_*.yml")):
        for model in (yaml.safe_load(yml.read_text(encoding="utf-8")) or {}).get("models", []):
            docs[model["name"]] = {c["name"]: str(c.get("description", "")) for c in model.get("columns", [])}
    return docs


def chinese_header(column: str, description: str) -> str:
    """The Chinese term a description starts with (年初预算(万元) Approved … -> 年初预算(万元)); the column name
    when the description starts with none."""
    term = description.strip().split(" ", 1)[0] if description.strip() else ""
    return term if HAN.search(term) else column


def published_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [row[0] for row in con.execute(
        "select table_name from information_schema.tables where table_schema = 'main' order by table_name"
    ).fetchall()]


def export(con: duckdb.DuckDBPyConnection, out: Path, fmt: str, tables: Iterable[str]) -> list[Path]:
    """Write ``tables`` of the published marts (open on ``con``) to ``out`` in ``fmt``; the files written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    out.mkdir(parents=True, exist_ok=True)
    tables = list(tables)
    if fmt == "xlsx":
        return [_xlsx(con, out / "marts.xlsx", tables)]
    written = []
    for table in tables:
        target = out / f"{table}.{fmt}"
        if fmt == "parquet":
            con.execute(f"copy (select * from \"{table}\") to '{_quote(target)}' (format parquet)")
        else:
            _csv_with_bom(con, table, target)
        written.append(target)
    return written


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


def _csv_with_bom(con: duckdb.DuckDBPyConnection, table: str, target: Path) -> None:
    """DuckDB's CSV writer (fast, NULL as empty, RFC 4180 quoting), then the BOM put in front."""
    plain = target.with_name(target.name + ".partial")
    con.execute(f"copy (select * from \"{table}\") to '{_quote(plain)}' (format csv, header true)")
    with open(target, "wb") as out, open(plain, "rb") as body:
        out.write(BOM)
        shutil.copyfileobj(body, out, length=1 << 20)
    plain.unlink()


def _sheet_names(table: str, n_sheets: int, taken: set[str]) -> list[str]:
    names = []
    for index in range(n_sheets):
        suffix = "" if index == 0 else f" ({index + 1})"
        base = table[:SHEET_NAME_MAX - len(suffix)]
        name, n = base + suffix, 1
        while name in taken:  # two long names cut alike
            n += 1
            tail = f"~{n}{suffix}"
            name = table[:SHEET_NAME_MAX - len(tail)] + tail
        taken.add(name)
        names.append(name)
    return names


def _xlsx_value(sheet, value):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, list | dict | tuple):
        value = str(value)
    if getattr(value, "tzinfo", None) is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters a worksheet cannot hold
        if value.startswith("="):  # text, never a formula
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"
            return cell
    return value


def _xlsx(con: duckdb.DuckDBPyConnection, target: Path, tables: list[str]) -> Path:
    from openpyxl import Workbook

    docs = column_docs()
    book = Workbook(write_only=True)
    taken: set[str] = set()
    described: list[tuple[str, str, str, str, str]] = []
    for table in tables:
        relation = con.sql(f'select * from "{table}"')
        columns = relation.columns
        n_rows = con.execute(f'select count(*) from "{table}"').fetchone()[0]
        table_docs = docs.get(table, {})
        headers = [chinese_header(c, table_docs.get(c, "")) for c in columns]
        sheets = _sheet_names(table, max(1, -(-n_rows // XLSX_MAX_ROWS)), taken)
        for column, header in zip(columns, headers, strict=True):
            described.append((sheets[0], table, column, header, table_docs.get(column, "")))
        rows = con.execute(f'select * from "{table}"')
        for sheet_name in sheets:
            sheet = book.create_sheet(sheet_name)
            sheet.append(headers)
            written = 0
            while written < XLSX_MAX_ROWS:
                batch = rows.fetchmany(min(10_000, XLSX_MAX_ROWS - written))
                if not batch:
                    break
                for row in batch:
                    sheet.append([_xlsx_value(sheet, v) for v in row])
                written += len(batch)
    about = book.create_sheet("字段说明")
    about.append(["工作表 sheet", "表 table", "字段 column", "表头 header", "说明 description"])
    for row in described:
        about.append(list(row))
    partial = target.with_name(target.name + ".partial")
    book.save(partial)
    partial.replace(target)
    return target
