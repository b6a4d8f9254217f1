#!/usr/bin/env bash
# Lint and type-check the tree: ruff (lint on src, format on src, tests and bench) and mypy
# (its config, files and overrides are in pyproject.toml). Every tool runs, so one run shows
# every finding; the script fails when any of them found something. CI runs it before the tests.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
.venv/bin/ruff check src || status=1
.venv/bin/ruff format --check src tests bench || status=1
.venv/bin/mypy || status=1
exit "$status"
