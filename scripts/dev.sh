#!/usr/bin/env bash
# Set up, load the bundled sample district once, then start the Dagster UI on it.
#   ROSTER_DATA_DIR     batch folder to load       (default data/sample_district)
#   ROSTER_DUCKDB_PATH  published DuckDB file      (default data/roster.duckdb)
#   PORT                UI port on 127.0.0.1        (default 3000)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DAGSTER_HOME="${DAGSTER_HOME:-$PWD/data/.dagster_home}"
mkdir -p "$DAGSTER_HOME"
.venv/bin/dagster job execute -m roster_pipeline.definitions -j roster_load
exec .venv/bin/dagster dev -w workspace.yaml -h 127.0.0.1 -p "${PORT:-3000}"
