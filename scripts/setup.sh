#!/usr/bin/env bash
# Create .venv (Python 3.11+) and install the project with its dev tools. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
# The relationships spreadsheet template districts download (generated, not committed).
.venv/bin/python -m roster_pipeline.uploads.relationships.template data/relationships_template.xlsx
