#!/usr/bin/env bash
# The benchmark (roster_pipeline.devtools.benchmark; arguments passed on) with the processes set
# up as dev.sh and deploy-local.sh run the pipeline (scripts/memory.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/memory.sh
exec .venv/bin/python -m roster_pipeline.devtools.benchmark "$@"
