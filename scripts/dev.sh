#!/usr/bin/env bash
# Set up, put the bundled sample in the drop folder as two days of exports (day 1 applied), then
# start Dagster (UI, daemon, run queue) on it with dg dev.
#   DAGSTER_HOME   the local instance                    (default data/.dagster_home)
#   PORT           UI port on 127.0.0.1                  (default 3000)
#   RESULTS_PORT   the results folder, served on 127.0.0.1 so the UI's download links work
#                  (default PORT + 1)
# The district's settings: data/district.toml and ROSTER_* variables (docs/settings.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/memory.sh
export DAGSTER_HOME="${DAGSTER_HOME:-$PWD/data/.dagster_home}"
mkdir -p "$DAGSTER_HOME"
[ -f "$DAGSTER_HOME/dagster.yaml" ] || cp scripts/dagster.yaml "$DAGSTER_HOME/dagster.yaml"
RESULTS_PORT="${RESULTS_PORT:-$(( ${PORT:-3000} + 1 ))}"
RESULTS_DIR="$(.venv/bin/python -c 'from roster_pipeline.settings.load import load_district
print(load_district().results_folder())')"
mkdir -p "$RESULTS_DIR"
.venv/bin/python -m http.server "$RESULTS_PORT" --bind 127.0.0.1 --directory "$RESULTS_DIR" \
  >/dev/null 2>&1 &
export ROSTER_RESULTS_URL="${ROSTER_RESULTS_URL:-http://127.0.0.1:$RESULTS_PORT}"
.venv/bin/python -m roster_pipeline.devtools.sample_batches
exec .venv/bin/dg dev -h 127.0.0.1 -p "${PORT:-3000}"
