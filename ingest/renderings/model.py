"""A report rendered to the line model every parser reads: prose lines and tab-separated table rows.

Text extractions arrive in this shape already. PDF, DOCX and XLSX reports are rendered into it, so one
set of table parsers serves every format and the same report gives the same facts whatever it came
as. Each line remembers where it came from (PDF page or worksheet, and for PDF table rows the
bounding box of every cell), which is how a published number traces back to its page and cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points


@dataclass(slots=True)
class RenderedReport:
    source_format: str  # text | pdf | docx | xlsx
    lines: list[str] = field(default_factory=list)
    pages: list[int | None] = field(default_factory=list)  # PDF page / worksheet number of each line
    cell_boxes: dict[int, list[BBox | None]] = field(default_factory=dict)  # line_no -> bbox per token
    page_count: int = 0
    fallback_pages: list[int] = field(default_factory=list)  # PDF pages whose tables camelot read
    reader: str = ""  # PDF: which engine read the page objects (pdfium, or pdfplumber where pdfium could not)
    reference_pages: list[int] = field(default_factory=list)  # PDF pages pdfplumber read instead of pdfium
    blank_pages: list[int] = field(default_factory=list)  # PDF pages given blanks playa read (pdf_blanks)

    def add_text(self, text: str, page: int | None) -> None:
        self.lines.append(text)
        self.pages.append(page)

    def add_row(self, cells: list[str], page: int | None, boxes: list[BBox | None] | None = None) -> None:
        self.lines.append("\t".join(cells))
        self.pages.append(page)
        if boxes is not None:
            self.cell_boxes[len(self.lines)] = boxes

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def page_ranges(self) -> list[tuple[int, int, int]]:
        """(page, first line, last line) runs: any line of the rendering maps back to its page."""
        runs: list[tuple[int, int, int]] = []
        for line_no, page in enumerate(self.pages, start=1):
            if page is None:
                continue
            if runs and runs[-1][0] == page and runs[-1][2] == line_no - 1:
                runs[-1] = (page, runs[-1][1], line_no)
            else:
                runs.append((page, line_no, line_no))
        return runs

    def page_of(self, line_no: int | None) -> int | None:
        if line_no is None or not 1 <= line_no <= len(self.pages):
            return None
        return self.pages[line_no - 1]

    def box_of(self, line_no: int | None, position: int | None) -> str | None:
        """The printed cell's bounding box as 'x0,top,x1,bottom' (points), when the format has one."""
        boxes = self.cell_boxes.get(line_no or 0)
        if not boxes or position is None or position >= len(boxes) or boxes[position] is None:
            return None
        return ",".join(f"{v:.1f}" for v in boxes[position])


def text_rendering(text: str) -> RenderedReport:
    lines = text.split("\n")
    return RenderedReport(source_format="text", lines=lines, pages=[None] * len(lines))
