#!/usr/bin/env bash
# Lint, type-check and test the GPU worker on CPU with tiny models. Exit non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 PYTHONDONTWRITEBYTECODE=1
echo "== ruff"
.venv/bin/ruff check src tests bench
echo "== pyright"
.venv/bin/pyright
echo "== pytest"
.venv/bin/python -m pytest -q
