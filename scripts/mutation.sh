#!/usr/bin/env bash
# Mutation testing of the security- and money-critical modules (cosmic-ray): prints the kill rate per module.
# Usage: scripts/mutation.sh [--show-survivors] [MODULE ...]   (MUTATION_PYTHON overrides the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
exec "${MUTATION_PYTHON:-.venv/bin/python}" scripts/mutation.py "$@"
