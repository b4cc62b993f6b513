#!/usr/bin/env bash
# Create .venv (Python 3.11+) and install the project with its dev tools. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# Install once per pyproject.toml (the package is editable: code changes need no reinstall), so
# re-running dev.sh or test.sh does not reinstall and repeat pip's and setuptools' notices.
STAMP=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$STAMP" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[dev]"
  rm -f .venv/.installed-*
  touch "$STAMP"
fi
# The relationships spreadsheet template districts download (generated, not committed).
.venv/bin/python -m roster_pipeline.uploads.relationships.template data/relationships_template.xlsx
