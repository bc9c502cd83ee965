"""One inbox file -> the rows it adds to the raw layer (document, tables, cells, issues).

Pure and picklable, so a process pool can run it; all database work is in ``raw_layer``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest import PARSER_VERSION
from ingest.amounts import UNIT_SCALE_TO_WAN
from ingest.narrative import narrative_claims
from ingest.reader import ReportFile, UnreadableReport, decode_text
from ingest.report_text import parse_report_text


@dataclass(slots=True)
class ParseOutcome:
    document: dict
    tables: list[dict] = field(default_factory=list)
    cells: list[dict] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)


def parse_report_file(report: ReportFile, stored_path: Path | None = None) -> ParseOutcome:
    base = {
        "content_hash": report.content_hash,
        "file_name": report.file_name,
        "stored_path": str(stored_path or report.path),
        "size_bytes": report.size,
        "parser_version": PARSER_VERSION,
        "report_kind": None,
        "unit_name": None,
        "fiscal_year": None,
        "status": "parsed",
        "reason": None,
        "n_tables": 0,
        "n_cells": 0,
    }
    try:
        text = decode_text(report)
    except UnreadableReport as exc:
        return ParseOutcome(document={**base, "status": "quarantined", "reason": str(exc)})
    parsed = parse_report_text(text)
    outcome = ParseOutcome(document={
        **base, "report_kind": parsed.report_kind, "unit_name": parsed.unit_name, "fiscal_year": parsed.fiscal_year,
    })
    if not parsed.tables:
        n_lines = len(text.splitlines())
        reason = f"{report.file_name}: no recognisable standard table (公开01–08 titles) in {n_lines} lines"
        if parsed.report_kind == "performance":
            reason += "; recognised as a performance self-evaluation, whose tables this version does not read"
        outcome.document.update(status="quarantined", reason=reason)
        return outcome
    for table in parsed.tables:
        scale = UNIT_SCALE_TO_WAN[table.printed_unit]
        outcome.tables.append({
            "content_hash": report.content_hash,
            "table_code": table.table_code,
            "title": table.title,
            "printed_number": table.printed_number,
            "printed_unit": table.printed_unit,
            "first_line": table.first_line,
            "last_line": table.last_line,
            "n_cells": len(table.cells),
            "n_issues": len(table.issues),
            "notes": "\n".join(table.notes) or None,
        })
        for cell in table.cells:
            row = asdict(cell)
            row.update(content_hash=report.content_hash, file_name=report.file_name,
                       printed_unit=table.printed_unit, amount_wan=round(cell.amount * scale, 6))
            outcome.cells.append(row)
        for issue in table.issues:
            outcome.issues.append({"content_hash": report.content_hash, "file_name": report.file_name,
                                   **asdict(issue)})
    for issue in parsed.issues:
        outcome.issues.append({"content_hash": report.content_hash, "file_name": report.file_name, **asdict(issue)})
    table_lines = {n for t in parsed.tables for n in range(t.first_line, t.last_line + 1)}
    outcome.claims = [{"content_hash": report.content_hash, **claim}
                      for claim in narrative_claims(text.split("\n"), table_lines)]
    outcome.document.update(n_tables=len(parsed.tables), n_cells=len(outcome.cells))
    if parsed.unit_name is None or parsed.fiscal_year is None:
        missing = [name for name, value in (("unit", parsed.unit_name), ("fiscal year", parsed.fiscal_year))
                   if value is None]
        outcome.document.update(
            status="quarantined",
            reason=f"{report.file_name}: tables found but no {' or '.join(missing)} could be read from the report",
        )
    return outcome
