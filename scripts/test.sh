#!/usr/bin/env bash
# The test command: set up, then lint, type-check and run the whole suite (SQLite and PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_BROWSER=${WITH_BROWSER:-1} ./scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy app icims offer_engine retrieval prompts
exec .venv/bin/pytest -q -p no:cacheprovider "$@"
