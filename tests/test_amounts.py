import pytest

from ingest.amounts import is_blank, parse_amount


@pytest.mark.parametrize(("text", "expected"), [
    ("10,152.21", 10152.21),
    ("0.00", 0.0),
    ("-3.50", -3.5),
    ("(12.40)", -12.4),
    ("１２３.４５", 123.45),  # full-width digits
    ("1 166.00", 1166.0),    # a space inside the cell
    ("7", 7.0),
])
def test_amounts_are_parsed(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["", " ", "-", "—", "行政运行", "1,23,4.5", "12.3.4"])
def test_blanks_and_text_are_not_amounts(text):
    assert parse_amount(text) is None


def test_zero_is_not_blank():
    assert not is_blank("0.00")
    assert is_blank("  ")


def test_sole_source_characters_come_from_no_other_character():
    """Readers skip a line without 表 (or 级) before normalising it: NFKC must make it of no other character."""
    import sys
    import unicodedata

    from ingest.amounts import SOLE_SOURCE_CHARACTERS, normalise_cell

    sources = {code for code in range(sys.maxunicode + 1)
               if not 0xD800 <= code <= 0xDFFF
               and SOLE_SOURCE_CHARACTERS & set(unicodedata.normalize("NFKC", chr(code)))}
    assert {chr(code) for code in sources} == set(SOLE_SOURCE_CHARACTERS)
    assert all(unicodedata.decomposition(char) == "" for char in SOLE_SOURCE_CHARACTERS)  # composed of nothing
    assert all(char in normalise_cell(f" {char}\t") for char in SOLE_SOURCE_CHARACTERS)


def test_lacks_refuses_characters_nfkc_can_make():
    from ingest.amounts import lacks

    assert lacks("表")("收入支出决算总表") is False and lacks("表")("项目支出") is True
    assert lacks("门位")("单位：元") is False
    with pytest.raises(ValueError):
        lacks("年")  # U+F98E, a compatibility ideograph, normalises to 年: not a safe test
