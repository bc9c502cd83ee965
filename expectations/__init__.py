"""Arithmetic-integrity suites (Great Expectations 1.x on pandas) and the publish gate.

- ``catalog``      the rules (catalog.yml): Chinese name, formula, scope, severity, tolerance
- ``comparisons``  one row per check: the printed value, the value the rule expects, the tolerance
- ``suite``        runs each rule's comparisons through a GX expectation and turns failures into findings
- ``waivers``      reviewed waivers for known source errata (waivers.yml)
- ``gate``         decides which tables are held back and writes dq_finding / quarantined_scope

GX's SQL path errors on DuckDB through duckdb_engine (GX #10738, #11579), so the suites validate
pandas frames read from the build database in bulk.
"""
