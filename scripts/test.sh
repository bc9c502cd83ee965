#!/usr/bin/env bash
# Command 2: create the environment (once) and run the test suite. Extra arguments go to pytest.
# The suite runs on FISCAL_TEST_WORKERS processes (pytest-xdist, default 2: this machine's cores), each test
# file in one of them (--dist loadfile: a file's module fixtures are built once); dbt's manifest is built
# before, so the workers do not parse the project at the same time.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/python -c "import orchestration.assets" >/dev/null
exec .venv/bin/python -m pytest -n "${FISCAL_TEST_WORKERS:-2}" --dist loadfile "$@"
