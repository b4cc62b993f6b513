#!/usr/bin/env bash
# Refresh docs/screenshots/ (one per step of the README walkthrough) from the UI test in headless
# Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
ROSTER_SCREENSHOTS_DIR="$PWD/docs/screenshots" exec .venv/bin/python -m pytest -q roster_pipeline_tests/ui
