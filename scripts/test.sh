#!/usr/bin/env bash
# Quick start, second command: set up .venv and what the tests use (PostgreSQL, chromium), then run
# ruff, the import contracts (lint-imports) and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/browser.sh
if url=$(bash scripts/postgres.sh); then
  export HEATPROOF_TEST_PG_URL="$url"
else
  echo "test.sh: PostgreSQL could not be set up; its tests will be skipped" >&2
fi
.venv/bin/ruff check src tests benchmarks
.venv/bin/lint-imports --no-logo --no-cache  # the floors of docs/architecture.md (pyproject.toml)
exec .venv/bin/pytest -n 2 "$@"  # two workers: the machines have two cores
