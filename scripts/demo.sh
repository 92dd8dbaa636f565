#!/usr/bin/env bash
# Quick start, first command: set up .venv and run the demo on the embedded defaults
# (SQLite records, Parquet telemetry, simulated stands) in ./heatproof-data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/heatproof demo "$@"
