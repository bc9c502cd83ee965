"""A table's lines as located in a text report, with helpers shared by the layout parsers."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.amounts import is_blank, lacks, normalise_cell, parse_amount
from ingest.model import Cell, ParseIssue
from ingest.tables.rows import is_table_row, split_row


@dataclass(slots=True)
class TableBlock:
    table_code: str
    title: str
    printed_number: str | None
    lines: list[tuple[int, str]]  # (1-based line number, text)

    def rows(self) -> list[tuple[int, list[str]]]:
        """Tab-separated rows, without the 部门/单位 caption lines."""
        return [(line_no, split_row(text)) for line_no, text in self.lines
                if is_table_row(text) and not _is_caption(text)]

    def notes(self) -> list[str]:
        out = []
        for _, text in self.lines:
            if is_table_row(text):
                continue
            flat = normalise_cell(text)
            if flat and not _is_caption(text):
                if flat not in {normalise_cell(self.title), normalise_cell(self.printed_number or "")}:
                    out.append(text.strip())
        return out


_CAPTIONS = ("部门:", "单位:", "编制单位:")
_NO_CAPTION_CHAR = lacks("门位")  # every caption has 门 or 位


def _is_caption(text: str) -> bool:
    """A 部门：/单位：/编制单位： caption line (most lines are rows of amounts: not normalised for this)."""
    return not _NO_CAPTION_CHAR(text) and normalise_cell(text).startswith(_CAPTIONS)


def amount_cell(
    block: TableBlock,
    *,
    line_no: int,
    token: str,
    row_label: str,
    row_code: str | None,
    column_path: str,
    column_number: int | None = None,
    row_number: int | None = None,
    side: str | None = None,
    position: int | None = None,
) -> Cell | ParseIssue | None:
    """A Cell for a printed amount, None for a blank, a ParseIssue for text where a number belongs."""
    if is_blank(token):
        return None
    value = parse_amount(token)
    if value is None:
        return ParseIssue(
            block.table_code, line_no, f"expected an amount in column '{column_path}', found '{token}'", token
        )
    return Cell(
        table_code=block.table_code,
        row_label=row_label,
        row_code=row_code,
        row_number=row_number,
        side=side,
        column_path=column_path,
        column_number=column_number,
        value_text=token,
        amount=value,
        line_no=line_no,
        position=position,
    )
