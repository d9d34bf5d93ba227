#!/usr/bin/env bash
# Mutation testing of the security- and money-critical modules (cosmic-ray): prints the kill rate per module.
# Usage: scripts/mutation.sh [--list | --report] [--show-survivors] [MODULE ...]   (see scripts/mutation.py)
# Runs at low priority (the machines are shared); run one mutation job at a time. MUTATION_PYTHON overrides python.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
exec nice -n 10 "${MUTATION_PYTHON:-.venv/bin/python}" scripts/mutation.py "$@"
