"""Long lists cut short: held-back documents and tables, skipped inbox entries, reader problems.

A refresh of 10,000 reports holds back thousands of tables. Printed or logged one by one they hide the rest
of the report (5,048 lines after such a refresh) and, in Dagster, each log line is an event written to the
run's history (~10 ms). The refresh's step logs and `fiscal status` show the first lines of each list and
how many more there are; `fiscal status --all` lists everything.
"""

from __future__ import annotations

SHOWN = 20  # lines of each list


def shown(lines: list[str], what: str, limit: int | None = SHOWN) -> list[str]:
    """The first ``limit`` lines (all of them when None), then one saying how many more ``what`` there are."""
    if limit is None or len(lines) <= limit:
        return lines
    return [*lines[:limit], f"… and {len(lines) - limit:,} more {what}; `fiscal status --all` lists them"]
