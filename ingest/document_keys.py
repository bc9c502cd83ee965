"""The keys of one document's parse, checked before its rows leave the parser.

A published amount is identified by (document, table, side, line, row, column). Everything here is about
one document, so a problem found here can only hold back that document's rows — never stop a refresh:

* **Two amounts of one printed row under the same column label** mean the row was not aligned with its
  header: some label is wrong, and a figure under a wrong label is worse than a missing one. No amount of
  that row is published; the row gets a parse issue that says so (a reader problem, not a source error).
* **An amount read under no column label, or under a column whose header names labels** (科目名称,
  功能分类科目编码, 项目, 行次 …: no amount is printed there, so the row's amounts slid sideways) is not
  placed either: same treatment.
* **A table family printed twice** (a contents page naming every table, a table continued under its
  title repeated, or two prints the catalog files under one code): a title without rows of its own is
  folded into the print that has them (kept as a note); a print that directly follows another of the same
  code and repeats none of its rows is its continuation and joins it; any other repeat is kept apart
  under ``<code>#<n>`` with a table-level parse issue, so it is held back whole — which print is the
  standard table cannot be decided. Rules and quarantine scopes are per document × table code, so after
  this step every table code of a document names exactly one printed table.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ingest.parse_report import ParseOutcome


# headers of the columns that carry a row's code, name or number, never an amount
LABEL_COLUMN = re.compile(r"(名称|编码|代码)$|^(项目|科目|行次|栏次|序号|类|款|项)$")


def check_document_keys(outcome: ParseOutcome) -> None:
    """Make the document's table codes and cell keys unique, recording why anything is not published."""
    _separate_repeated_tables(outcome, outcome.tables, outcome.cells, amount_tables=True)
    _separate_repeated_tables(outcome, outcome.performance_tables, outcome.indicators, amount_tables=False)
    _drop_ambiguous_rows(outcome)
    cells_per_table = Counter(cell["table_code"] for cell in outcome.cells)
    issues_per_table = Counter(issue["table_code"] for issue in outcome.issues)
    for table in outcome.tables:
        table.update(n_cells=cells_per_table.get(table["table_code"], 0),
                     n_issues=issues_per_table.get(table["table_code"], 0))
    if outcome.document["status"] == "parsed":
        outcome.document["n_cells"] = len(outcome.cells)


def cell_key(cell: dict) -> tuple:
    """What a published amount is known by inside its document: table, side, line, row, column."""
    return (cell["table_code"], cell["side"], cell["line_no"], cell["row_code"] or cell["row_label"],
            cell["column_path"])


# ------------------------------------------------------------------ rows whose amounts cannot be placed

def _drop_ambiguous_rows(outcome: ParseOutcome) -> None:
    by_key: dict[tuple, list[dict]] = defaultdict(list)
    for cell in outcome.cells:
        by_key[cell_key(cell)].append(cell)
    reasons: dict[tuple, str] = {}
    for key, cells in by_key.items():
        row, column = key[:4], key[4]
        if not column:
            reasons.setdefault(row, f"{len(cells)} amount(s) ({_values(cells)}) read under no column label")
        elif _is_label_column(column):
            reasons.setdefault(row, f"{len(cells)} amount(s) ({_values(cells)}) read under '{column}', a column of "
                                    "labels: the row is not aligned with its header")
        elif len(cells) > 1:
            reasons.setdefault(row, f"{len(cells)} amounts ({_values(cells)}) read under the one column '{column}': "
                                    "the row is not aligned with its header")
    if not reasons:
        return
    dropped: dict[tuple, list[dict]] = defaultdict(list)
    kept = []
    for cell in outcome.cells:
        row = cell_key(cell)[:4]
        (dropped[row] if row in reasons else kept).append(cell)
    outcome.cells = kept
    for row, cells in dropped.items():
        table_code, side, line_no, label = row
        first = cells[0]
        where = f"{side} row" if side else "row"
        outcome.issues.append({
            "content_hash": first["content_hash"], "file_name": first["file_name"], "table_code": table_code,
            "line_no": line_no, "page_no": first.get("page_no"),
            "message": f"{where} '{label or '(no label)'}': {reasons[row]}; none of its {len(cells)} amounts "
                       "is published (a figure under a wrong label is worse than a missing one)",
            "line_text": "\t".join([label or "", *(c["value_text"] for c in _in_print_order(cells))]),
        })


@lru_cache(maxsize=4096)
def _is_label_column(column_path: str) -> bool:
    """The column (its last header) names labels; cached: a document prints a few dozen columns."""
    return bool(LABEL_COLUMN.search(column_path.rsplit("/", 1)[-1]))


def _values(cells: list[dict]) -> str:
    return ", ".join(c["value_text"] for c in _in_print_order(cells))


def _in_print_order(cells: list[dict]) -> list[dict]:
    return sorted(cells, key=lambda c: (c.get("position") is None, c.get("position") or 0))


# ------------------------------------------------------------------ table families printed twice

def _separate_repeated_tables(outcome: ParseOutcome, tables: list[dict], members: list[dict],
                              amount_tables: bool) -> None:
    """``members``: the cells (amount tables) or indicator nodes (performance tables) of ``tables``."""
    codes = [t["table_code"] for t in tables]
    repeated = {code for code in codes if codes.count(code) > 1}
    if not repeated:
        return
    order = sorted(range(len(tables)), key=lambda i: tables[i]["first_line"])
    position = {i: rank for rank, i in enumerate(order)}
    for code in sorted(repeated):
        prints = sorted((i for i, t in enumerate(tables) if t["table_code"] == code), key=position.__getitem__)
        belongs = {i: [m for m in members if m["table_code"] == code and _inside(m, tables[i])] for i in prints}
        groups = _continuations(prints, position, belongs)
        keep = max(groups, key=lambda g: sum(len(belongs[i]) for i in g))
        _join(tables, keep, belongs, outcome, code)
        apart = [g for g in groups if g is not keep and any(belongs[i] for i in g)]
        for number, group in enumerate(apart, start=2):
            _join(tables, group, belongs, outcome, code)
            _keep_apart(outcome, tables[group[0]], belongs[group[0]], code, f"{code}#{number}", amount_tables,
                        tables[keep[0]])
        for group in groups:
            if group is not keep and group not in apart:  # titles without rows of their own
                _fold_empty(outcome, tables, group, tables[keep[0]], code)
    tables[:] = [t for t in tables if t.get("_folded") is not True]


def _inside(member: dict, table: dict) -> bool:
    return table["first_line"] <= member["line_no"] <= table["last_line"]


def _continuations(prints: list[int], position: dict[int, int], belongs: dict[int, list[dict]]) -> list[list[int]]:
    """Prints of one code in order, each joined to the previous one when it directly follows it (no other
    table in between) and repeats none of its rows: a table continued under its title printed again."""
    groups: list[list[int]] = []
    for index in prints:
        previous = groups[-1] if groups else None
        rows_before = [m for i in previous for m in belongs[i]] if previous else []
        if (previous and rows_before and belongs[index] and position[index] == position[previous[-1]] + 1
                and not _shares_rows(belongs[index], rows_before)):
            previous.append(index)
        else:
            groups.append([index])
    return groups


def _shares_rows(members: list[dict], others: list[dict]) -> bool:
    def row(m: dict) -> tuple:
        return (m.get("side"), m.get("row_code") or m.get("row_label"), m.get("column_path"), m.get("indicator_name"))
    return bool({row(m) for m in members} & {row(m) for m in others})


def _join(tables: list[dict], group: list[int], belongs: dict[int, list[dict]], outcome: ParseOutcome,
          code: str) -> None:
    """A printed table and its continuations become one table row spanning all their lines."""
    head = tables[group[0]]
    for index in group[1:]:
        part = tables[index]
        where = _lines(part)
        head["notes"] = _note(head.get("notes"), f"continued under its title printed again at {where}")
        head["last_line"] = max(head["last_line"], part["last_line"])
        if "last_page" in head:
            head["last_page"] = part.get("last_page") or head.get("last_page")
        belongs[group[0]] = belongs[group[0]] + belongs[index]
        part["_folded"] = True


def _fold_empty(outcome: ParseOutcome, tables: list[dict], group: list[int], keep: dict, code: str) -> None:
    for index in group:
        empty = tables[index]
        inside = [i for i in outcome.issues if i["table_code"] == code and _inside(i, empty)]
        said = "; ".join(i["message"] for i in inside)
        keep["notes"] = _note(keep.get("notes"), f"also titled at {_lines(empty)} without rows of its own"
                                                 + (f" ({said})" if said else ""))
        outcome.issues[:] = [i for i in outcome.issues if not (i["table_code"] == code and _inside(i, empty))]
        empty["_folded"] = True


def _keep_apart(outcome: ParseOutcome, table: dict, members: list[dict], code: str, new_code: str,
                amount_tables: bool, kept: dict) -> None:
    for member in members:
        member["table_code"] = new_code
    for issue in outcome.issues:
        if issue["table_code"] == code and _inside(issue, table):
            issue["table_code"] = new_code
    table["table_code"] = new_code
    message = (f"table {code} printed again at {_lines(table)} apart from its print at {_lines(kept)}, repeating "
               f"its rows or with other tables in between: which print is the standard table cannot be decided, "
               f"so this one is held back")
    if not amount_tables:
        table.update(recoverable=False, reason=_note(table.get("reason"), message))
    outcome.issues.append({
        "content_hash": table["content_hash"], "file_name": outcome.document["file_name"], "table_code": new_code,
        "line_no": table["first_line"], "page_no": table.get("first_page"), "message": message,
        "line_text": table.get("title") or "",
    })


def _lines(table: dict) -> str:
    page = table.get("first_page")
    return f"lines {table['first_line']}–{table['last_line']}" + (f" (p. {page})" if page else "")


def _note(existing: str | None, addition: str) -> str:
    return f"{existing}\n{addition}" if existing else addition
