"""The rule catalog (catalog.yml) as Python objects."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

CATALOG_PATH = Path(__file__).with_name("catalog.yml")


@dataclass(frozen=True)
class Rule:
    rule_id: str
    name_zh: str
    formula: str
    scope: str
    severity: str
    tolerance: str


@cache
def rules() -> dict[str, Rule]:
    data = yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))["rules"]
    return {rule_id: Rule(rule_id=rule_id, **spec) for rule_id, spec in data.items()}


def render_markdown() -> str:
    """expectations/CATALOG.md, generated from catalog.yml (a test keeps the two in step)."""
    header = (CATALOG_PATH.read_text(encoding="utf-8").split("rules:")[0].replace("# ", "").strip())
    lines = ["# Integrity rule catalog", "", "Generated from `expectations/catalog.yml` by "
             "`python -m expectations.catalog`; edit the YAML, not this file.", "", "```text", header, "```", "",
             "| rule | 名称 | formula | scope | severity | tolerance |", "| --- | --- | --- | --- | --- | --- |"]
    for rule in rules().values():
        cells = [f"`{rule.rule_id}`", rule.name_zh, rule.formula, rule.scope, rule.severity, rule.tolerance]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    CATALOG_PATH.with_name("CATALOG.md").write_text(render_markdown(), encoding="utf-8")
