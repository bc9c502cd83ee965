"""Every model and every column it builds is documented in the folder's yml (Chinese term and English)."""

import re

import yaml

from tests.conftest import REPO

MODELS = REPO / "dbt_project" / "models"
HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{3}")


def documented() -> dict[str, dict]:
    models = {}
    for yml in MODELS.rglob("_*.yml"):
        for model in (yaml.safe_load(yml.read_text(encoding="utf-8")) or {}).get("models", []):
            models[model["name"]] = model
    return models


def test_every_model_has_a_bilingual_description_and_documented_columns():
    docs = documented()
    sql_models = {p.stem for p in MODELS.rglob("*.sql")}
    assert sql_models == set(docs)
    for name, model in docs.items():
        assert HAN.search(model["description"]) and LATIN.search(model["description"]), name
        for column in model.get("columns", []):
            text = column.get("description", "")
            assert HAN.search(text) and LATIN.search(text), f"{name}.{column['name']}"
