"""Measure the warehouse on the real corpus (../shared/corpus) and write docs/CORPUS.md.

For every real document (seeds and PDFs) it reports what a refresh published: unit, year and kind,
the tables found, the hand-read gold figures (``gold/pdf_figures.csv``) published with the right
row, column and page, figures published under a gold cell's row and column with another value
(a figure under the wrong label), and findings by origin and severity.

    .venv/bin/python scripts/corpus_check.py                 # all documents in ONE inbox (the acceptance run)
    .venv/bin/python scripts/corpus_check.py --each          # each document alone in its own warehouse
    .venv/bin/python scripts/corpus_check.py --write         # regenerate the "now" section of docs/CORPUS.md
    .venv/bin/python scripts/corpus_check.py --each --first-sight   # add first-sight rows for documents
                                                                     # that have none yet (never rewrites one)

The gold matching rules are fixed here, so the first-sight rows and the current rows are measured alike:

* a table figure is *published* when a published fact of the same file and page has the gold amount
  (to 1e-6 万元), its row (the gold code as classification code, else the gold row label as the fact's
  row label or as a column-path group above the leaf, labels compared without numbering, spaces,
  quotes and (类)/(款)/(项)) and its column (the gold column as the leaf of the column path, a phase
  word such as 预算数 under it skipped);
* it is *wrong* when no fact matches but a published fact of that file, page, row and column has
  another amount;
* a narrative figure (table 情况说明) is published when ``fct_narrative_figure`` has a figure of the same
  file and page with that amount and measure (预算数/金额 → amount, 上年预算数 → prior, 比上年增减 → change)
  whose subject shares the gold label's words (both without 支出 and 预算);
* a superseded version (an earlier draft of a report whose final is in the same inbox) publishes its
  figures in ``fct_fiscal_amount_superseded`` / ``fct_narrative_figure_superseded``: they count as published
  and are also counted apart (``gold_superseded``).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
CORPUS_MD = REPO / "docs" / "CORPUS.md"
PHASE_WORDS = {"预算数", "决算数", "年初预算数", "调整预算数", "全年预算数"}
NARRATIVE_MEASURES = {"预算数": "amount", "金额": "amount", "上年预算数": "prior", "比上年增减": "change"}
NOW_BEGIN, NOW_END = "<!-- now:begin (scripts/corpus_check.py --write) -->", "<!-- now:end -->"
FIRST_BEGIN, FIRST_END = "<!-- first-sight:begin (append only) -->", "<!-- first-sight:end -->"


@dataclass
class DocumentResult:
    file: str
    folder: str
    status: str = "absent"  # published | quarantined | refresh failed | absent
    reason: str | None = None
    unit: str | None = None
    year: int | None = None
    kind: str | None = None
    meta_ok: dict = field(default_factory=dict)  # unit/year/kind -> True/False (gold files only)
    tables: list[str] = field(default_factory=list)
    facts_published: int = 0
    facts_held: int = 0
    gold_total: int = 0
    gold_published: int = 0
    gold_held: int = 0
    gold_wrong: int = 0
    gold_superseded: int = 0  # of gold_published: in the marts of superseded versions
    superseded_by: str | None = None
    narrative_total: int = 0
    narrative_published: int = 0
    findings: dict = field(default_factory=dict)  # "origin/severity" -> count
    missing: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- label normalisation

_ENUM = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|\d+[、.．]|[(（][一二三四五六七八九十\d]+[)）])")
_LEVEL = re.compile(r"[(（][类款项][)）]")


def norm(text: str | None) -> str:
    flat = unicodedata.normalize("NFKC", text or "")
    flat = re.sub(r"\s+", "", flat)
    flat = re.sub(r"[\"“”'‘’「」]", "", flat)
    return flat


def norm_label(text: str | None) -> str:
    flat = _ENUM.sub("", norm(text))
    return _LEVEL.sub("", flat)


def labels_match(gold: str, printed: str | None) -> bool:
    a, b = norm_label(gold), norm_label(printed)
    if not a or not b:
        return False
    short, long_ = sorted((a, b), key=len)
    return a == b or (len(short) >= 2 and short in long_)


def column_parts(path: str | None) -> list[str]:
    return [norm(p) for p in (path or "").split("/") if p]


def column_match(gold_column: str, path: str | None) -> bool:
    parts = column_parts(path)
    if not parts:
        return False
    want = norm(gold_column)
    if parts[-1] == want:
        return True
    return want not in PHASE_WORDS and len(parts) > 1 and parts[-1] in PHASE_WORDS and parts[-2] == want


def row_match(gold: dict, fact: dict) -> bool:
    if gold["code"]:
        return gold["code"] in (fact["classification_code"], fact["source_row_code"])
    if labels_match(gold["row_label"], fact["source_row_label"]) or labels_match(gold["row_label"],
                                                                                  fact["line_item"]):
        return True
    groups = column_parts(fact["source_column"])[:-1]  # a header group above the leaf (三公 tables)
    return any(labels_match(gold["row_label"], part) for part in groups if part not in PHASE_WORDS) or (
        norm_label(gold["row_label"]) == norm_label(gold["column"]) and not fact["source_row_label"])


def subject_match(gold_label: str, subject: str | None) -> bool:
    """The narrative subject shares a run of the gold label's words (four characters, or all of a short label)."""
    a = norm_label(gold_label).replace("支出", "").replace("预算", "")
    b = norm_label(subject).replace("支出", "").replace("预算", "")
    need = min(4, len(a))
    return bool(a) and any(a[i:i + need] in b for i in range(len(a) - need + 1))


# ---------------------------------------------------------------- running refreshes

def corpus_files(corpus: Path) -> list[Path]:
    return sorted((corpus / "seeds").glob("*.txt")) + sorted((corpus / "pdf").glob("*.pdf"))


def run_refresh(files: list[Path], home: Path) -> tuple[bool, str]:
    inbox = home.parent / (home.name + "_inbox")
    shutil.rmtree(inbox, ignore_errors=True)
    inbox.mkdir(parents=True)
    for path in files:
        shutil.copy2(path, inbox / path.name)
    env = {**os.environ, "FISCAL_ALERT_WEBHOOK": "", "FISCAL_SMTP_HOST": ""}
    fiscal = Path(sys.executable).parent / "fiscal"
    done = subprocess.run([str(fiscal), "refresh", "--inbox", str(inbox), "--home", str(home)],
                          capture_output=True, text=True, env=env, cwd=REPO)
    tail = (done.stdout + done.stderr).strip().splitlines()
    reason = next((line for line in tail if line.startswith("refresh failed")), tail[-1] if tail else "")
    return done.returncode == 0, reason


def read_gold(corpus: Path) -> tuple[dict[str, dict[str, str]], dict[str, list[dict]]]:
    meta: dict[str, dict[str, str]] = {}
    figures: dict[str, list[dict]] = {}
    with open(corpus / "gold" / "pdf_figures.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["kind"] == "meta":
                meta.setdefault(row["file"], {})[row["row_label"]] = row["note"]
            else:
                row["amount"] = float(row["amount_wan"])
                row["page"] = int(row["page"]) if row["page"] else None
                figures.setdefault(row["file"], []).append(row)
    return meta, figures


def _rows_of(con, sql: str, params) -> list[tuple]:
    try:
        return con.execute(sql, [params]).fetchall()
    except duckdb.Error:
        return []


def _frame(con, sql: str, params=()) -> list[dict]:
    try:
        cursor = con.execute(sql, params)
    except duckdb.Error:
        return []
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def measure(home: Path, files: list[Path], refresh_ok: bool, refresh_reason: str,
            gold_meta: dict, gold_figures: dict) -> list[DocumentResult]:
    results = {path.name: DocumentResult(file=path.name, folder=path.parent.name) for path in files}
    marts = home / "marts.duckdb"
    raw = home / "raw.duckdb"
    if refresh_ok and marts.exists():
        con = duckdb.connect(str(marts), read_only=True)
        docs = _frame(con, "select file_name, unit_name, fiscal_year, report_kind, parse_status, parse_reason, "
                           "document_id, is_current_version from dim_document")
        facts = _frame(con, "select *, true as current from fct_fiscal_amount") + _frame(
            con, "select *, false as current from fct_fiscal_amount_superseded")
        held = _frame(con, "select * from fct_fiscal_amount_quarantined where is_current_version")
        tables = _frame(con, "select d.file_name, t.table_code, t.first_page from dim_report_table t "
                             "join dim_document d using (document_id)")
        has_origin = bool(_frame(con, "select 1 from information_schema.columns where table_name = 'dq_finding' "
                                      "and column_name = 'origin'"))
        findings = _frame(con, "select file_name, severity, " + ("origin" if has_origin else "'-' as origin")
                               + ", waived from dq_finding")
        narrative = _frame(con, "select *, true as current from fct_narrative_figure") + _frame(
            con, "select *, false as current from fct_narrative_figure_superseded")
        names = {d["document_id"]: d["file_name"] for d in docs}
        superseded = {d["file_name"]: names.get(r[0]) for d in docs for r in _rows_of(
            con, "select superseded_by from report_version where document_id = ?", d["document_id"]) if r[0]}
        con.close()
        status_of = {d["file_name"]: d for d in docs}
    else:
        docs, facts, held, tables, findings, narrative, status_of, superseded = [], [], [], [], [], [], {}, {}
        if raw.exists():
            con = duckdb.connect(str(raw), read_only=True)
            for row in _frame(con, "select file_name, unit_name, fiscal_year, report_kind, status as parse_status, "
                                   "reason as parse_reason from documents"):
                status_of[row["file_name"]] = row
            tables = _frame(con, "select d.file_name, t.table_code, t.first_page from report_tables t "
                                 "join documents d using (content_hash)")
            con.close()
    by_file: dict[str, list[dict]] = {}
    for fact in facts:
        by_file.setdefault(fact["source_file"], []).append(fact)
    held_by_file: dict[str, list[dict]] = {}
    for fact in held:
        held_by_file.setdefault(fact["source_file"], []).append(fact)
    for name, result in results.items():
        doc = status_of.get(name)
        if doc is not None:
            result.unit, result.year, result.kind = doc["unit_name"], doc["fiscal_year"], doc["report_kind"]
            if not refresh_ok:
                result.status, result.reason = "refresh failed", refresh_reason
            elif doc["parse_status"] == "parsed":
                result.status = "published"
                result.superseded_by = superseded.get(name)
            else:
                result.status, result.reason = "quarantined", doc["parse_reason"]
        elif not refresh_ok:
            result.status, result.reason = "refresh failed", refresh_reason
        result.tables = [f"{t['table_code']}@p{t['first_page']}" if t["first_page"] else t["table_code"]
                         for t in sorted(tables, key=lambda t: (t["first_page"] or 0, t["table_code"]))
                         if t["file_name"] == name]
        result.facts_published = len(by_file.get(name, []))
        result.facts_held = len(held_by_file.get(name, []))
        counts = Counter(f"{f['origin']}/{f['severity']}" for f in findings
                         if f["file_name"] == name and not f["waived"])
        result.findings = dict(sorted(counts.items()))
        if name in gold_meta:
            _check_meta(result, gold_meta[name])
        for gold in gold_figures.get(name, []):
            if gold["table"] == "情况说明":
                _check_narrative(result, gold, [n for n in narrative if n.get("source_file") == name])
            else:
                _check_figure(result, gold, by_file.get(name, []), held_by_file.get(name, []))
    return list(results.values())


def _check_meta(result: DocumentResult, meta: dict[str, str]) -> None:
    unit = meta.get("unit", "").split(" (")[0].strip()
    year = meta.get("year", "").strip()
    kind = meta.get("report_kind", "")
    result.meta_ok = {
        "unit": bool(result.unit) and norm(result.unit) == norm(unit),
        "year": str(result.year) == year,
        "kind": result.kind == ("budget" if kind.startswith("预算") else "final_accounts"),
    }


def _matches(gold: dict, fact: dict) -> bool:
    return (fact["source_page"] == gold["page"] and abs(float(fact["amount_wan"]) - gold["amount"]) <= 1e-6
            and row_match(gold, fact) and column_match(gold["column"], fact["source_column"]))


def _check_figure(result: DocumentResult, gold: dict, facts: list[dict], held: list[dict]) -> None:
    result.gold_total += 1
    where = f"p{gold['page']} {gold['table'][:14]} | {gold['code'] or gold['row_label']} | {gold['column']} = " \
            f"{gold['amount_wan']}"
    found = next((fact for fact in facts if _matches(gold, fact)), None)
    if found is not None:
        result.gold_published += 1
        result.gold_superseded += not found.get("current", True)
        return
    if any(_matches(gold, fact) for fact in held):
        result.gold_held += 1
        result.missing.append(where + " (held back)")
        return
    others = [f for f in facts if f["source_page"] == gold["page"] and row_match(gold, f)
              and column_match(gold["column"], f["source_column"])]
    if others:
        result.gold_wrong += 1
        result.wrong.append(where + f" published as {others[0]['amount_wan']}")
    else:
        result.missing.append(where)


def _check_narrative(result: DocumentResult, gold: dict, figures: list[dict]) -> None:
    result.gold_total += 1
    result.narrative_total += 1
    measure_code = NARRATIVE_MEASURES.get(gold["column"], "amount")
    for figure in figures:
        if (figure.get("source_page") == gold["page"] and figure.get("measure") == measure_code
                and abs(float(figure["amount_wan"]) - gold["amount"]) <= 1e-6
                and subject_match(gold["row_label"], figure.get("subject"))):
            result.gold_published += 1
            result.narrative_published += 1
            result.gold_superseded += not figure.get("current", True)
            return
    result.missing.append(f"p{gold['page']} 情况说明 | {gold['row_label']} | {gold['column']} = {gold['amount_wan']}")


# ---------------------------------------------------------------- report

def markdown_rows(results: list[DocumentResult]) -> list[str]:
    lines = ["| document | status | unit · year · kind | tables | facts (held) | gold published / total "
             "(narrative) | wrong label | findings (origin/severity) |",
             "|---|---|---|---|---:|---|---:|---|"]
    for r in results:
        meta = f"{r.unit or '—'} · {r.year or '—'} · {r.kind or '—'}"
        if r.meta_ok:
            bad = [k for k, ok in r.meta_ok.items() if not ok]
            meta += " ✓" if not bad else f" ✗ {', '.join(bad)}"
        status = r.status + (f": {r.reason[:90]}" if r.reason and r.status != "published" else "")
        if r.superseded_by:
            status += f" (superseded by {r.superseded_by}; its figures in the *_superseded marts)"
        gold = (f"{r.gold_published} / {r.gold_total} ({r.narrative_published} / {r.narrative_total})"
                if r.gold_total else "—")
        findings = ", ".join(f"{k} {v}" for k, v in r.findings.items()) or "0"
        lines.append(f"| {r.folder}/{r.file} | {status} | {meta} | {len(r.tables)} | {r.facts_published} "
                     f"({r.facts_held}) | {gold} | {r.gold_wrong if r.gold_total else '—'} | {findings} |")
    return lines


def summary_line(results: list[DocumentResult], refresh_ok: bool, reason: str, mode: str) -> str:
    gold = sum(r.gold_total for r in results)
    published = sum(r.gold_published for r in results)
    wrong = sum(r.gold_wrong for r in results)
    pct = f"{100 * published / gold:.1f} %" if gold else "—"
    ok = sum(r.status == "published" for r in results)
    superseded = sum(r.gold_superseded for r in results)
    return (f"Mode: {mode}. Refresh {'exit 0' if refresh_ok else 'FAILED (' + reason[:120] + ')'}; "
            f"{ok} of {len(results)} documents published; gold figures published {published} / {gold} ({pct}; "
            f"{superseded} of them from a superseded version); wrong label {wrong}.")


def replace_section(text: str, begin: str, end: str, body: str) -> str:
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        return f"{head}{begin}\n{body}\n{end}{tail}"
    return f"{text.rstrip()}\n\n{begin}\n{body}\n{end}\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--each", action="store_true", help="each document alone in its own warehouse")
    parser.add_argument("--work", type=Path, default=None, help="where the warehouses go (default: a temp dir)")
    parser.add_argument("--write", action="store_true", help="regenerate the 'now' section of docs/CORPUS.md")
    parser.add_argument("--first-sight", action="store_true",
                        help="append first-sight rows for documents docs/CORPUS.md has none for")
    parser.add_argument("--label", default="", help="what code was measured (e.g. the commit)")
    parser.add_argument("--json", type=Path, default=None, help="write the full results (missing figures …)")
    parser.add_argument("--only", nargs="*", default=None, help="file names to measure (default: all)")
    parser.add_argument("--from-json", type=Path, default=None,
                        help="report the results a previous run wrote with --json instead of running again")
    args = parser.parse_args()
    files = corpus_files(args.corpus)
    if args.only:
        files = [f for f in files if f.name in set(args.only)]
    gold_meta, gold_figures = read_gold(args.corpus)
    work = args.work or Path(tempfile.mkdtemp(prefix="corpus_check_"))
    results: list[DocumentResult] = []
    if args.from_json:
        saved = json.loads(args.from_json.read_text(encoding="utf-8"))
        rows, summary = (saved, None) if isinstance(saved, list) else (saved["results"], saved["summary"])
        results = [DocumentResult(**row) for row in rows]
        summary = summary or (
            f"Mode: {'each document alone' if args.each else 'all documents in one inbox'} (from "
            f"{args.from_json.name}). {sum(r.status == 'published' for r in results)} of {len(results)} documents "
            f"published; gold figures published {sum(r.gold_published for r in results)} / "
            f"{sum(r.gold_total for r in results)}; wrong label {sum(r.gold_wrong for r in results)}.")
    elif args.each:
        refresh_ok, reason = True, ""
        for path in files:
            home = work / re.sub(r"\W", "_", path.stem)
            shutil.rmtree(home, ignore_errors=True)
            ok, why = run_refresh([path], home)
            results += measure(home, [path], ok, why, gold_meta, gold_figures)
            print(markdown_rows(results[-1:])[-1], flush=True)
        n_failed = sum(r.status == "refresh failed" for r in results)
        summary = (f"Mode: each document alone. {n_failed} of {len(results)} refreshes failed; "
                   f"{sum(r.status == 'published' for r in results)} documents published; gold figures published "
                   f"{sum(r.gold_published for r in results)} / {sum(r.gold_total for r in results)}; "
                   f"wrong label {sum(r.gold_wrong for r in results)}.")
    else:
        home = work / "all"
        shutil.rmtree(home, ignore_errors=True)
        refresh_ok, reason = run_refresh(files, home)
        results = measure(home, files, refresh_ok, reason, gold_meta, gold_figures)
        mode = "all documents in one inbox"
        summary = summary_line(results, refresh_ok, reason, mode)
    label = args.label or _commit()
    table = "\n".join([f"Measured on {label}. {summary}", "", *markdown_rows(results)])
    print(table)
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "results": [asdict(r) for r in results]},
                                        ensure_ascii=False, indent=1), encoding="utf-8")
    if args.write or args.first_sight:
        text = CORPUS_MD.read_text(encoding="utf-8") if CORPUS_MD.exists() else "# Real corpus\n"
        if args.write:
            text = replace_section(text, NOW_BEGIN, NOW_END, table)
        if args.first_sight:
            text = _append_first_sight(text, results, label)
        CORPUS_MD.write_text(text, encoding="utf-8")
    return 0


def _append_first_sight(text: str, results: list[DocumentResult], label: str) -> str:
    """First-sight rows are written once per document and never rewritten."""
    existing = text.split(FIRST_BEGIN, 1)[1].split(FIRST_END, 1)[0] if FIRST_BEGIN in text else ""
    rows = [line for line in existing.strip().splitlines() if line.startswith("|")]
    header = markdown_rows([])[:2]
    header[0] += " measured on |"
    header[1] += "---|"
    body = rows[2:] if rows else []
    seen = {line.split("|")[1].strip() for line in body}
    for line, result in zip(markdown_rows(results)[2:], results, strict=True):
        if f"{result.folder}/{result.file}" not in seen:
            body.append(f"{line} {label} |")
    return replace_section(text, FIRST_BEGIN, FIRST_END, "\n".join(header + body))


def _commit() -> str:
    try:
        return subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown commit"


if __name__ == "__main__":
    sys.exit(main())
