"""Small PDF pages drawn rule by rule (reportlab canvas), to pin down how the PDF reader rebuilds a table's
grid: merged header cells, white cell paddings that cut phantom columns, a table continued on the next page
without its top rule, a title in a large font beside a small caption."""

from __future__ import annotations

import io
from dataclasses import dataclass

PAGE_W, PAGE_H = 842.0, 595.0  # A4 landscape, points


@dataclass
class Cell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    align: str = "center"  # left | center | right


@dataclass
class Grid:
    x_edges: list[float]  # column boundaries, left to right
    top: float  # distance of the first rule from the top of the page
    row_height: float
    n_rows: int
    cells: list[Cell]
    white_padding: float = 0.0  # paint white rectangles inside cells, inset by this much (spreadsheet export)
    padded_rows: set[int] | None = None  # the rows whose cells get them (None: every row)
    top_rule: bool = True  # False: the first row's top rule is not drawn (a table continued from a page before)


def _font(canvas, size: float) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    canvas.setFont("STSong-Light", size)


def draw_text(canvas, x: float, top: float, text: str, size: float = 10) -> None:
    _font(canvas, size)
    canvas.drawString(x, PAGE_H - top - size, text)


def draw_grid(canvas, grid: Grid, size: float = 8) -> None:
    """Rules around every cell (merged cells have no rules inside), optional white paddings, then the text."""
    y = [grid.top + i * grid.row_height for i in range(grid.n_rows + 1)]
    covered: dict[tuple[int, int], Cell] = {}
    for cell in grid.cells:
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                covered[(r, c)] = cell
    canvas.setLineWidth(0.5)
    canvas.setStrokeColorRGB(0, 0, 0)
    for cell in grid.cells:
        x0, x1 = grid.x_edges[cell.col], grid.x_edges[cell.col + cell.colspan]
        top, bottom = y[cell.row], y[cell.row + cell.rowspan]
        if grid.white_padding and (grid.padded_rows is None or cell.row in grid.padded_rows):
            canvas.setFillColorRGB(1, 1, 1)
            p = grid.white_padding
            canvas.rect(x0 + p, PAGE_H - bottom + p, x1 - x0 - 2 * p, bottom - top - 2 * p, stroke=0, fill=1)
        rules = [((x0, bottom), (x1, bottom)), ((x0, top), (x0, bottom)), ((x1, top), (x1, bottom))]
        if grid.top_rule or cell.row > 0:
            rules.append(((x0, top), (x1, top)))
        for (ax, ay), (bx, by) in rules:
            canvas.line(ax, PAGE_H - ay, bx, PAGE_H - by)
    canvas.setFillColorRGB(0, 0, 0)
    _font(canvas, size)
    for cell in grid.cells:
        x0, x1 = grid.x_edges[cell.col], grid.x_edges[cell.col + cell.colspan]
        top, bottom = y[cell.row], y[cell.row + cell.rowspan]
        baseline = PAGE_H - (top + bottom) / 2 - size / 3
        if cell.align == "left":
            canvas.drawString(x0 + 3, baseline, cell.text)
        elif cell.align == "right":
            canvas.drawRightString(x1 - 3, baseline, cell.text)
        else:
            canvas.drawCentredString((x0 + x1) / 2, baseline, cell.text)


def pdf_pages(*pages) -> bytes:
    """One PDF from page-drawing callables (each receives the canvas)."""
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(PAGE_W, PAGE_H))
    for draw in pages:
        draw(canvas)
        canvas.showPage()
    canvas.save()
    return out.getvalue()
