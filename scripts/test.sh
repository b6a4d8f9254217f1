#!/usr/bin/env bash
# Set up (idempotent) and run the whole test suite. This is the README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p test-artifacts
exec .venv/bin/python -m pytest -n 2 -q "$@"
