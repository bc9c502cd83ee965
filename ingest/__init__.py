"""Readers and table parsers: turn a report file into provenance-carrying cells.

Layout:
- ``reader``            bytes -> decoded text, or a clear reason why the file cannot be read
- ``amounts``           printed amount text -> number (thousands separators, blanks, 元/万元)
- ``report_text``       a text report -> its kind, unit, year and table blocks
- ``tables.catalog``    which parser reads which standard table (公开01 … 公开08)
- ``store``             immutable content-addressed copies of every inbox file
- ``raw_layer``         the DuckDB raw layer and its bulk loader
"""

PARSER_VERSION = "2026.11.10"
