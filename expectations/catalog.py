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
