#!/usr/bin/env bash
# Create .venv with the pinned dependencies and this package (editable). Re-runs only when
# pyproject.toml changed since the last successful install.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ -f "$stamp" ]; then exit 0; fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'
# dbt's manifest of the project (what the Dagster definitions are made from) is part of the environment: built
# here once, not by the first refresh (orchestration/assets.py builds it again whenever the models change)
.venv/bin/python -c "import orchestration.assets" >/dev/null
rm -f .venv/.installed-*
touch "$stamp"
