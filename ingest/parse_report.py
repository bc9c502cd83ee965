"""One inbox file -> the rows it adds to the raw layer (document, tables, cells, issues).

Pure and picklable, so a process pool can run it; all database work is in ``raw_layer``.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from ingest import PARSER_VERSION
from ingest.amounts import UNIT_SCALE_TO_WAN
from ingest.document_keys import check_document_keys
from ingest.faults import crash_if_injected, exhaust_if_injected, fault_injected, raise_if_injected
from ingest.model import ParsedTable, as_row
from ingest.narrative import narrative_claims
from ingest.narrative_figures import narrative_figures
from ingest.performance import read_performance_tables
from ingest.performance.staffing import staffing_claims
from ingest.reader import ReportFile, UnreadableReport
from ingest.renderings import render_report
from ingest.renderings.model import RenderedReport
from ingest.report_resolution import (
    candidate_row,
    metadata_columns,
    missing_metadata,
    missing_metadata_reason,
)
from ingest.report_text import parse_report_text
from ingest.value_bounds import check_value_bounds


@dataclass(slots=True)
class ParseOutcome:
    document: dict
    tables: list[dict] = field(default_factory=list)
    cells: list[dict] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)  # every amount quoted in the prose
    performance_tables: list[dict] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)
    pages: list[dict] = field(default_factory=list)  # (page, first line, last line) of paged formats
    metadata_candidates: list[dict] = field(default_factory=list)  # every reading of unit/year/kind/draft


def parse_report_file(report: ReportFile, stored_path: Path | None = None) -> ParseOutcome:
    crash_if_injected("parse.crash", report.file_name)
    exhaust_if_injected(report.file_name)
    base = document_row(report, stored_path)
    try:
        rendering = render_report(report)
    except UnreadableReport as exc:
        return ParseOutcome(document=_quarantined(base, str(exc)))
    except MemoryError:  # past the worker's memory limit: the pool names the limit (ingest.parse_pool)
        raise
    except Exception as exc:  # a reader bug must not stop the refresh: the file is quarantined with why
        return ParseOutcome(document=_quarantined(
            base, f"{report.file_name}: reader failed ({type(exc).__name__}: {exc})"))
    base.update(source_format=rendering.source_format, n_pages=rendering.page_count or None)
    try:  # a parser bug meeting an unseen layout quarantines this document, never the refresh
        raise_if_injected("parse.raise", report.file_name)
        outcome = _read_rendering(report, rendering, base)
        if not fault_injected("keys.unchecked", report.file_name):
            check_document_keys(outcome)
        check_value_bounds(outcome)
    except MemoryError:
        raise
    except Exception as exc:
        return ParseOutcome(document=_quarantined(base, parser_failure(report, rendering, exc)))
    return outcome


def parser_failure(report: ReportFile, rendering: RenderedReport, exc: Exception) -> str:
    """Why a document could not be parsed: the exception and where in the parser it was raised."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f"{os.sep}ingest{os.sep}" in f.filename]
    where = ""
    if frames:
        frame = frames[-1]
        module = frame.filename[frame.filename.rindex(f"{os.sep}ingest{os.sep}") + 1:]
        where = f" in {module}:{frame.lineno} ({frame.name})"
    extent = f"{len(rendering.lines)} lines" + (f" of {rendering.page_count} pages" if rendering.page_count else "")
    return (f"{report.file_name}: the parser failed ({type(exc).__name__}: {exc}){where} while reading the tables "
            f"and narrative of its {extent}; expected a parse of every table, nothing was published")


def document_row(report: ReportFile, stored_path: Path | None = None, reason: str | None = None) -> dict:
    """The raw layer's row for this file before it is read (quarantined, with ``reason``, when given)."""
    return {
        "content_hash": report.content_hash,
        "file_name": report.file_name,
        "stored_path": str(stored_path or report.path),
        "size_bytes": report.size,
        "parser_version": PARSER_VERSION,
        **metadata_columns(None),
        "report_kind": None,  # an unreadable file: nothing read, not even a kind
        "report_part": None,
        "status": "parsed",
        "reason": None,
        "read_status": "parsed",  # what reading the file decided; status may also hold it for its metadata
        "read_reason": None,
        "n_tables": 0,
        "n_cells": 0,
        "source_format": None,
        "n_pages": None,
        **({"status": "quarantined", "reason": reason, "read_status": "quarantined", "read_reason": reason}
           if reason else {}),
    }


def _read_rendering(report: ReportFile, rendering: RenderedReport, base: dict) -> ParseOutcome:
    text = rendering.text
    parsed = parse_report_text(text, report.file_name)
    pages = [{"content_hash": report.content_hash, "page_no": page, "first_line": first, "last_line": last}
             for page, first, last in rendering.page_ranges()]
    lines = rendering.lines
    performance = read_performance_tables(lines)
    parsed.tables.extend(performance.amount_tables)
    outcome = ParseOutcome(document={**base, **metadata_columns(parsed.metadata)})  # report_part: narrative
    outcome.pages = pages
    outcome.metadata_candidates = [
        candidate_row(report.content_hash, candidate, rendering.page_of(candidate.line_no))
        for candidate in parsed.metadata.candidates
    ]
    _add_performance(outcome, report, performance.score_tables, rendering)
    table_lines = {n for t in parsed.tables for n in range(t.first_line, t.last_line + 1)}
    outcome.figures = [
        {"content_hash": report.content_hash, "file_name": report.file_name,
         "page_no": rendering.page_of(figure["line_no"]), **figure}
        for figure in narrative_figures(lines, table_lines, report_kind=parsed.report_kind,
                                        fiscal_year=parsed.fiscal_year, unit_name=parsed.unit_name)]
    if not parsed.tables and not performance.score_tables and not _is_report_narrative(parsed.report_kind,
                                                                                        outcome.figures):
        n_lines = len(text.splitlines())
        where = f"{n_lines} lines" + (f" of {rendering.page_count} pages" if rendering.page_count else "")
        reason = (f"{report.file_name}: no recognisable standard table (公开01–09, 部门预算 tables), "
                  f"budget-execution table or performance score table in {where}, and no report narrative "
                  f"(a 预算 / 决算 / 绩效 report's prose quoting at least {MIN_NARRATIVE_AMOUNTS} amounts)")
        outcome.document.update(_quarantined(outcome.document, reason))
        outcome.figures = []
        return outcome
    for table in parsed.tables:
        outcome.tables.append({
            "content_hash": report.content_hash,
            "table_code": table.table_code,
            "title": table.title,
            "printed_number": table.printed_number,
            "printed_unit": table.printed_unit,
            "first_line": table.first_line,
            "last_line": table.last_line,
            "first_page": rendering.page_of(table.first_line),
            "last_page": rendering.page_of(table.last_line),
            "n_cells": len(table.cells),
            "n_issues": len(table.issues),
            "notes": "\n".join(table.notes) or None,
        })
        outcome.cells += _cell_rows(report, rendering, table)
        outcome.issues += [_issue_row(report, rendering, issue) for issue in table.issues]
    outcome.issues += [_issue_row(report, rendering, issue) for issue in parsed.issues]
    outcome.claims = [{"content_hash": report.content_hash, **claim}
                      for claim in narrative_claims(lines, table_lines) + staffing_claims(lines, table_lines)]
    n_tables = len(parsed.tables) + len(performance.score_tables)
    outcome.document.update(n_tables=n_tables, n_cells=len(outcome.cells),
                            report_part="tables" if n_tables else "narrative")
    # provisional: a companion file or the manifest may still give what the document does not print
    # (ingest.report_resolution decides, over the whole inbox, after every parse)
    missing = missing_metadata(outcome.document["unit_name"], outcome.document["fiscal_year"])
    if missing:
        outcome.document.update(status="quarantined",
                                reason=missing_metadata_reason(report.file_name, missing, n_tables > 0))
    return outcome


def _cell_rows(report: ReportFile, rendering: RenderedReport, table: ParsedTable) -> list[dict]:
    """The raw layer's rows of a table's cells: the cell, where it is printed, its amount in 万元."""
    content_hash, file_name = report.content_hash, report.file_name  # once per table, not per cell
    page_of, box_of = rendering.page_of, rendering.box_of
    rows = []
    for cell in table.cells:
        unit = cell.unit or table.printed_unit
        scale = UNIT_SCALE_TO_WAN.get(unit)  # rates (%), counts and scores are not money
        rows.append(as_row(cell, page_no=page_of(cell.line_no), cell_box=box_of(cell.line_no, cell.position),
                           content_hash=content_hash, file_name=file_name, printed_unit=unit,
                           amount_wan=round(cell.amount * scale, 6) if scale is not None else None))
    return rows


def _quarantined(document: dict, reason: str) -> dict:
    """The file itself cannot be read as a report: quarantined whatever its metadata."""
    return {**document, "status": "quarantined", "reason": reason, "read_status": "quarantined",
            "read_reason": reason}


MIN_NARRATIVE_AMOUNTS = 3


def _is_report_narrative(report_kind: str, figures: list[dict]) -> bool:
    """The narrative half of a report split into a narrative file and a table attachment: a 预算 / 决算 /
    绩效 report by its title, whose prose quotes amounts (a memo or a notice does neither)."""
    amounts = sum(figure["measure"] == "amount" for figure in figures)
    return report_kind in ("budget", "final_accounts", "performance") and amounts >= MIN_NARRATIVE_AMOUNTS


def _issue_row(report: ReportFile, rendering: RenderedReport, issue) -> dict:
    return {"content_hash": report.content_hash, "file_name": report.file_name,
            "page_no": rendering.page_of(issue.line_no), **as_row(issue)}


def _add_performance(outcome: ParseOutcome, report: ReportFile, tables, rendering: RenderedReport) -> None:
    """Score tables, frameworks, self-evaluation forms and target declarations: one row per table and
    one per indicator node, each with its line for provenance."""
    for table in tables:
        outcome.performance_tables.append({
            "content_hash": report.content_hash, "file_name": report.file_name, "table_code": table.table_code,
            "table_kind": table.kind, "title": table.title, "scope_name": table.scope_name,
            "first_line": table.first_line, "last_line": table.last_line, "stated_total": table.stated_total,
            "stated_total_line": table.stated_total_line, "stated_weight_total": table.stated_weight_total,
            "n_indicators": len(table.indicators), "recoverable": not table.issues,
            "reason": "; ".join(issue.message for issue in table.issues) or None,
        })
        for position, node in enumerate(table.indicators, start=1):
            outcome.indicators.append({
                "content_hash": report.content_hash, "file_name": report.file_name, "table_code": table.table_code,
                "position": position, "level": node.level,
                "level1_name": node.path[0] if len(node.path) > 0 else None,
                "level2_name": node.path[1] if len(node.path) > 1 else None,
                "level3_name": node.path[2] if len(node.path) > 2 else None,
                "indicator_name": node.path[-1], "weight": node.weight, "weight_text": node.weight_text,
                "score": node.score, "score_text": node.score_text, "description": node.description or None,
                "scoring_standard": node.scoring_standard or None, "target_text": node.target_text or None,
                "actual_text": node.actual_text or None, "deviation_reason": node.deviation_reason or None,
                "line_no": node.line_no, "page_no": rendering.page_of(node.line_no),
            })
        outcome.issues += [_issue_row(report, rendering, issue) for issue in table.issues]
