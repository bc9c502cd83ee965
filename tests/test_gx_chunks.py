"""Great Expectations evaluates a large audit in parts of whole documents (expectations/gate.py GX_CHUNK): the
findings are those of one evaluation, and each part's Data Docs pages are its own."""

import pandas as pd

from expectations import gate


def _comparisons() -> pd.DataFrame:
    rows = []
    for d in range(5):
        for r in range(d + 1):  # documents of 1..5 comparisons; every other one breaches its tolerance
            rows.append({"rule_id": "row_total", "document_id": f"doc{d}", "table_code": "GK03", "side": "",
                         "row_code": f"20502{r:02d}", "row_label": "小学教育", "column_path": "本年支出合计",
                         "line_no": 70 + r, "actual": 12515.62 + (10 if r % 2 else 0.01), "expected": 12515.62,
                         "n_addends": 5, "tolerance": 0.03, "addends": "基本支出+项目支出"})
    return pd.DataFrame(rows)


DOCUMENTS = pd.DataFrame([{"document_id": f"doc{d}", "file_name": f"unit{d}.txt", "unit_name": f"示例单位{d}",
                           "fiscal_year": 2023} for d in range(5)])
COMPARED = ["document_id", "row_code", "rule_id", "severity", "expected", "actual", "difference", "tolerance",
            "message"]


def test_parts_hold_whole_documents_and_at_most_the_chunk():
    parts = gate._document_chunks(_comparisons(), 6)
    assert [sorted(set(p["document_id"])) for p in parts] == [["doc0", "doc1", "doc2"], ["doc3"], ["doc4"]]
    assert sum(len(p) for p in parts) == 15
    # a document with more comparisons than a part holds is a part of its own
    assert [len(p) for p in gate._document_chunks(_comparisons(), 4)] == [3, 3, 4, 5]


def test_findings_in_parts_are_the_findings_of_one_evaluation(tmp_path, monkeypatch):
    monkeypatch.setenv("FISCAL_GX_WORKER", "0")
    whole, whole_failed = gate._evaluate_isolated(_comparisons(), tmp_path / "whole", DOCUMENTS)
    monkeypatch.setattr(gate, "GX_CHUNK", 6)
    parts, parts_failed = gate._evaluate_in_chunks(_comparisons(), tmp_path / "parts", DOCUMENTS)
    key = ["document_id", "row_code", "severity"]
    assert whole_failed.empty and parts_failed.empty
    assert len(whole) == 15 and (whole["severity"] == "error").sum() == 6
    pd.testing.assert_frame_equal(parts[COMPARED].sort_values(key).reset_index(drop=True),
                                  whole[COMPARED].sort_values(key).reset_index(drop=True))
    # three evaluations, three Data Docs pages of the rule, each finding linked to its own part's
    assert parts["data_docs_page"].nunique() == 3 and whole["data_docs_page"].nunique() == 1


def test_a_part_gx_fails_on_fails_its_documents_not_the_audit(tmp_path, monkeypatch):
    monkeypatch.setenv("FISCAL_GX_WORKER", "0")
    monkeypatch.setattr(gate, "GX_CHUNK", 6)
    real = gate.evaluate

    def evaluate(comparisons, docs_dir, documents):
        if "doc4" in set(comparisons["document_id"]):
            raise ValueError("GX cannot validate this document")
        return real(comparisons, docs_dir, documents)

    monkeypatch.setattr(gate, "evaluate", evaluate)
    found, failed = gate._evaluate_in_chunks(_comparisons(), tmp_path, DOCUMENTS)
    assert failed["document_id"].tolist() == ["doc4"] and failed["file_name"].tolist() == ["unit4.txt"]
    assert "GX cannot validate" in failed["error"].iloc[0]
    assert sorted(set(found["document_id"])) == ["doc0", "doc1", "doc2", "doc3"]


def test_gx_failing_on_every_part_fails_the_audit(tmp_path, monkeypatch):
    import pytest

    monkeypatch.setenv("FISCAL_GX_WORKER", "0")
    monkeypatch.setattr(gate, "GX_CHUNK", 6)
    monkeypatch.setattr(gate, "evaluate", lambda *args: (_ for _ in ()).throw(ValueError("rules broken")))
    with pytest.raises(RuntimeError, match="failed on every document.*rules broken"):
        gate._evaluate_in_chunks(_comparisons(), tmp_path, DOCUMENTS)
