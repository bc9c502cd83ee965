#!/usr/bin/env bash
# Command 1: create the environment (once) and run the nightly refresh on the bundled sample reports.
# Extra arguments go to `fiscal refresh` (e.g. --inbox ../shared/corpus/seeds --home /tmp/wh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/fiscal refresh "$@"
