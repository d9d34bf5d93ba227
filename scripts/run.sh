#!/usr/bin/env bash
# The run command: set up, then start the product on its embedded defaults
# (sandbox iCIMS, SQLite, local Qdrant, embedded engine).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
exec .venv/bin/offer-assistant "${@:-serve}"
