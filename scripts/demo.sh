#!/usr/bin/env bash
# Set up (idempotent) and run the Moroccan demo world end to end on the embedded DuckDB store.
set -euo pipefail
cd "$(dirname "$0")/.."
HALQA_EXTRAS="${HALQA_EXTRAS:-dev}" bash scripts/setup.sh
exec .venv/bin/halqa demo "$@"
