"""Readers and table parsers: turn a report file into provenance-carrying cells.

Layout:
- ``reader``            bytes -> decoded text, or a clear reason why the file cannot be read
- ``amounts``           printed amount text -> number (thousands separators, blanks, 元/万元)
- ``report_text``       a rendered report -> its table blocks
- ``metadata``          a document's unit, year, kind and draft mark, from every place they are printed
- ``manifest``          the optional manifest.csv a scraper writes beside the reports
- ``report_resolution`` across the inbox: manifest overrides, split reports (companions), report ids
- ``tables.catalog``    which parser reads which standard table (公开01 … 公开08)
- ``store``             immutable content-addressed copies of every inbox file
- ``raw_layer``         the DuckDB raw layer and its bulk loader
- ``parse_pool``        every file parsed in a worker under a time and a memory limit
- ``value_bounds``      values the raw layer's types cannot hold become reader issues on their cell
"""

# 2026.11.30.2: values out of range and XLSX formulas without cached values are reader issues (issue 15)
PARSER_VERSION = "2026.11.30.3"
