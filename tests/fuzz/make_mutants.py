"""Mutants of every inbox format, for the fuzz refreshes (tests/test_fuzz_refresh.py) or by hand:

    python tests/fuzz/make_mutants.py OUT_DIR [--count N] [--seed S]

Each mutant starts from a good synthetic 决算 of its own unit (示例市变异〇〇〇一局, so no mutant is a version of
another report) and is damaged one way, in turn over the kinds below; the list of what was done to each file
is written to OUT_DIR.mutants.tsv (beside the folder, never inside the inbox). Deterministic per seed.

text   line deleted, duplicated, swapped, cut in half, digits garbled, huge amounts, tabs added or removed,
       a title year range or a far year, a note naming another report, NUL and control bytes, GB18030,
       truncated mid-character, the whole text twice, an empty file
pdf    byte flips (in the body, in the xref), truncated at a random point, header only
docx   truncated package, a damaged document.xml, a package without document.xml
xlsx   a stray cell at XFD1048576, a hidden copy of the sheet, formulas without cached values, random cells
       overwritten with text, a truncated package
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from ingest.sample_reports import east_lake_finance_bureau, render_final_accounts  # noqa: E402
from tests.report_writers import to_docx, to_pdf, to_xlsx  # noqa: E402


@dataclass(frozen=True, slots=True)
class Mutant:
    file_name: str
    kind: str  # text | pdf | docx | xlsx
    mutation: str


def base_text(number: int, year: int = 2023) -> str:
    """A good 决算 of its own unit (the number in Chinese digits: a unit name prints no Arabic digits)."""
    digits = "".join("〇一二三四五六七八九"[int(d)] for d in f"{number:04d}")
    return render_final_accounts(replace(east_lake_finance_bureau(year), unit=f"示例市变异{digits}局"))


# ------------------------------------------------------------------ text


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _table_rows(lines: list[str]) -> list[int]:
    return [i for i, line in enumerate(lines) if "\t" in line and any(ch.isdigit() for ch in line)]


def t_delete(text, rng):
    lines = _lines(text)
    del lines[rng.choice(_table_rows(lines))]
    return "\n".join(lines).encode()


def t_duplicate(text, rng):
    lines = _lines(text)
    i = rng.choice(_table_rows(lines))
    lines.insert(i, lines[i])
    return "\n".join(lines).encode()


def t_swap(text, rng):
    lines = _lines(text)
    i, j = rng.sample(range(len(lines)), 2)
    lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines).encode()


def t_cut(text, rng):
    return text[: rng.randrange(len(text) // 4, len(text))].encode()


def t_garble_digits(text, rng):
    lines = _lines(text)
    for i in rng.sample(_table_rows(lines), 5):
        lines[i] = "".join(rng.choice("0123456789,.-") if ch.isdigit() and rng.random() < 0.3 else ch
                           for ch in lines[i])
    return "\n".join(lines).encode()


def t_huge_amounts(text, rng):
    lines = _lines(text)
    for i in rng.sample(_table_rows(lines), 3):
        cells = lines[i].split("\t")
        j = rng.randrange(len(cells))
        cells[j] = rng.choice(["123,456,789,012,345,678.00", "9" * 40, "1e308", "-99999999999999999.99",
                               "4294967296", "NaN", "inf"])
        lines[i] = "\t".join(cells)
    return "\n".join(lines).encode()


def t_tabs(text, rng):
    lines = _lines(text)
    for i in rng.sample(_table_rows(lines), 4):
        lines[i] = lines[i].replace("\t", "", 1) if rng.random() < 0.5 else "\t" + lines[i]
    return "\n".join(lines).encode()


def t_year_range(text, rng):
    return text.replace("2023 年度部门决算", rng.choice(["2022-2023 年度部门决算", "2099 年度部门决算",
                                                     "2015至2016年度部门决算"]), 1).encode()


def t_note(text, rng):
    return text.replace("2023 年度部门决算", "2019年度部门预算\n\n2023 年度部门决算", 1).encode()


def t_nul(text, rng):
    data = bytearray(text.encode())
    for _ in range(rng.randrange(1, 40)):
        data.insert(rng.randrange(len(data)), rng.choice([0, 1, 7, 27, 127]))
    return bytes(data)


def t_gb18030(text, rng):
    return text.encode("gb18030")


def t_mid_character(text, rng):
    data = text.encode()
    return data[: rng.randrange(len(data) // 2, len(data))]  # may end inside a UTF-8 character


def t_twice(text, rng):
    return (text + "\n" + text).encode()


def t_empty(text, rng):
    return rng.choice([b"", b"\n\n", b"   ", "\ufeff".encode()])


TEXT: list[Callable] = [t_delete, t_duplicate, t_swap, t_cut, t_garble_digits, t_huge_amounts, t_tabs,
                        t_year_range, t_note, t_nul, t_gb18030, t_mid_character, t_twice, t_empty]


# ------------------------------------------------------------------ binary formats


def flip_bytes(data: bytes, rng: random.Random, n: int, start: int = 0) -> bytes:
    out = bytearray(data)
    for _ in range(n):
        i = rng.randrange(start, len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


def p_flip_body(data, rng):
    return flip_bytes(data, rng, rng.randrange(1, 50), start=min(len(data) - 1, 64))


def p_flip_tail(data, rng):  # the xref table and trailer
    return flip_bytes(data, rng, 10, start=max(0, len(data) - 400))


def p_truncate(data, rng):
    return data[: rng.randrange(16, len(data))]


def p_header_only(data, rng):
    return data[:9] + f"% {rng.random()}\n".encode()  # unique bytes: the same bytes twice are one document


PDF = [p_flip_body, p_flip_tail, p_truncate, p_header_only]


def d_truncate(data, rng):
    return data[: rng.randrange(30, len(data))]


def d_damage_document(data, rng):
    return _rewrite_zip(data, lambda name, content: flip_bytes(content, rng, 20) if name == "word/document.xml"
                        else content)


def d_drop_document(data, rng):
    return _rewrite_zip(data, lambda name, content: None if name == "word/document.xml" else content)


DOCX = [d_truncate, d_damage_document, d_drop_document]


def _rewrite_zip(data: bytes, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = change(item.filename, source.read(item.filename))
            if content is not None:
                target.writestr(item, content)
    return out.getvalue()


def _workbook_change(data: bytes, change) -> bytes:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data))
    change(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def x_stray(data, rng):
    return _workbook_change(data, lambda wb: wb.active.__setitem__("XFD1048576", "x"))


def x_hidden_copy(data, rng):
    def change(wb):
        wb.copy_worksheet(wb.active).sheet_state = "hidden"
    return _workbook_change(data, change)


def x_formulas(data, rng):
    def change(wb):
        sheet = wb.active
        numeric = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, float)]
        for cell in rng.sample(numeric, min(5, len(numeric))):
            cell.value = f"=SUM(A1:B{cell.row})"
    return _workbook_change(data, change)


def x_text_cells(data, rng):
    def change(wb):
        sheet = wb.active
        filled = [c for row in sheet.iter_rows() for c in row if c.value is not None]
        for cell in rng.sample(filled, min(8, len(filled))):
            cell.value = rng.choice(["#REF!", "###", "—", "1e400", "12,34,5", "９９．９"])
    return _workbook_change(data, change)


def x_truncate(data, rng):
    return data[: rng.randrange(30, len(data))]


XLSX = [x_stray, x_hidden_copy, x_formulas, x_text_cells, x_truncate]


# ------------------------------------------------------------------ the set


def make_mutants(out_dir: Path, count: int, seed: int = 0, kinds: tuple[str, ...] = ("text", "pdf", "docx", "xlsx"),
                 ) -> list[Mutant]:
    """Write ``count`` mutants into ``out_dir`` (formats in turn, mutations of each format in turn)."""
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    mutations = {"text": TEXT, "pdf": PDF, "docx": DOCX, "xlsx": XLSX}
    turn = {kind: 0 for kind in kinds}
    made = []
    for number in range(count):
        kind = kinds[number % len(kinds)]
        mutate = mutations[kind][turn[kind] % len(mutations[kind])]
        turn[kind] += 1
        text = base_text(seed * 1000 + number)
        if kind == "text":
            data = mutate(text, rng)
        else:
            writer = {"pdf": to_pdf, "docx": to_docx, "xlsx": to_xlsx}[kind]
            data = mutate(writer(text), rng)
        suffix = {"text": ".txt", "pdf": ".pdf", "docx": ".docx", "xlsx": ".xlsx"}[kind]
        name = f"mutant_{seed:02d}_{number:03d}_{mutate.__name__}{suffix}"
        (out_dir / name).write_bytes(data)
        made.append(Mutant(name, kind, mutate.__name__))
    with open(out_dir.with_name(out_dir.name + ".mutants.tsv"), "w", newline="", encoding="utf-8") as listing:
        writer = csv.writer(listing, delimiter="\t")
        writer.writerow(["file_name", "kind", "mutation"])
        writer.writerows((m.file_name, m.kind, m.mutation) for m in made)
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    made = make_mutants(args.out_dir, args.count, args.seed)
    print(f"{len(made)} mutants in {args.out_dir} (listed in {args.out_dir.name}.mutants.tsv)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
