"""The rule catalog (catalog.yml) as Python objects: the one declaration of every integrity rule.

From it are generated CATALOG.md (``python -m expectations.catalog``), one Great Expectations suite per
rule (expectations/suite.py) and one Dagster asset check per rule (orchestration/integrity_checks.py);
tests/test_integrity_checks.py keeps the three in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

CATALOG_PATH = Path(__file__).with_name("catalog.yml")
SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class Rule:
    rule_id: str
    name_zh: str
    formula: str
    scope: str
    severity: str
    tolerance: str
    guards: str  # the asset key (slash-separated) whose published rows the rule gates

    @property
    def guarded_asset(self) -> list[str]:
        return self.guards.split("/")


@cache
def rules() -> dict[str, Rule]:
    data = yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))["rules"]
    catalog = {rule_id: Rule(rule_id=rule_id, **spec) for rule_id, spec in data.items()}
    for rule in catalog.values():
        if rule.severity not in SEVERITIES:
            raise ValueError(f"rule {rule.rule_id}: severity {rule.severity!r} is none of {SEVERITIES}")
    return catalog


def render_markdown() -> str:
    """expectations/CATALOG.md, generated from catalog.yml (a test keeps the two in step)."""
    header = (CATALOG_PATH.read_text(encoding="utf-8").split("rules:")[0].replace("# ", "").strip())
    lines = ["# Integrity rule catalog", "", "Generated from `expectations/catalog.yml` by "
             "`python -m expectations.catalog`; edit the YAML, not this file.", "", "```text", header, "```", "",
             "| rule | 名称 | formula | scope | severity | tolerance | asset check on |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for rule in rules().values():
        cells = [f"`{rule.rule_id}`", rule.name_zh, rule.formula, rule.scope, rule.severity, rule.tolerance,
                 f"`{rule.guards}`"]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    CATALOG_PATH.with_name("CATALOG.md").write_text(render_markdown(), encoding="utf-8")
