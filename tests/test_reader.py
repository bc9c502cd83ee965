from pathlib import Path

import pytest

from ingest.parse_report import parse_report_file
from ingest.reader import UnreadableReport, decode_text, load_report_file


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_empty_file_is_refused_with_its_name(tmp_path):
    report = load_report_file(write(tmp_path, "empty.txt", b"  \n"))
    with pytest.raises(UnreadableReport, match=r"empty\.txt: empty file"):
        decode_text(report)


def test_binary_file_is_refused_with_offset(tmp_path):
    report = load_report_file(write(tmp_path, "scan.pdf", b"%PDF-1.4\x00\x01\x02binary"))
    with pytest.raises(UnreadableReport, match=r"scan\.pdf: binary content \(NUL byte at offset 8\)"):
        decode_text(report)


def test_gb18030_text_is_decoded(tmp_path):
    report = load_report_file(write(tmp_path, "gbk.txt", "收入支出决算总表".encode("gb18030")))
    assert decode_text(report) == "收入支出决算总表"


def test_text_without_tables_is_quarantined_not_crashed(tmp_path):
    outcome = parse_report_file(load_report_file(write(tmp_path, "memo.txt", "关于开展工作的通知\n".encode())))
    assert outcome.document["status"] == "quarantined"
    assert "memo.txt: no recognisable standard table" in outcome.document["reason"]
    assert outcome.cells == []


def test_same_bytes_have_same_hash(tmp_path):
    a = load_report_file(write(tmp_path, "a.txt", b"x"))
    b = load_report_file(write(tmp_path, "b.txt", b"x"))
    assert a.content_hash == b.content_hash == "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
