"""Sync one batch without Dagster, under the district's settings (the same loader as the UI's).

    python -m roster_pipeline.cli.sync --folder data/drop/2026-11-23 --mode preview
    python -m roster_pipeline.cli.sync --folder data/drop/2026-11-23 --mode apply [--action approve]

The settings come from ``data/district.toml`` (or ``ROSTER_SETTINGS_FILE``) and the ``ROSTER_*``
variables (docs/settings.md); ``--db`` and ``--results`` override the DuckDB file and results
folder. Prints the run's status, hold reasons, counts per entity and change (never a value),
and the results workbook's path. Exit status: 0 applied, previewed or discarded; 1 held or
rejected; 2 refused or unusable settings (the failure policy, ``runner.policy``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from roster_pipeline.runner.policy import POLICY, REFUSED
from roster_pipeline.runner.sync_runner import run_sync
from roster_pipeline.settings.load import load_district
from roster_pipeline.settings.values import SettingsError
from roster_pipeline.sync.run import ACTIONS, MODES


def main(argv: list[str] | None = None) -> int:
    """Run the command; its exit status is the failure policy's."""
    parser = argparse.ArgumentParser(
        prog="python -m roster_pipeline.cli.sync",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--folder", type=Path, required=True, help="the batch: a folder or a .zip file"
    )
    parser.add_argument("--db", type=Path, help="the DuckDB file (default: ROSTER_DUCKDB_PATH)")
    parser.add_argument("--mode", choices=MODES, default="preview")
    parser.add_argument("--action", choices=ACTIONS, default="run")
    parser.add_argument("--results", type=Path, help="folder of the results workbook and plot")
    args = parser.parse_args(argv)
    given = {"duckdb_path": args.db, "results_dir": args.results}
    try:
        settings = load_district(overrides={k: str(v) for k, v in given.items() if v})
    except SettingsError as bad:
        print(f"settings: {bad}", file=sys.stderr)  # noqa: T201
        return POLICY[REFUSED].exit_code
    run = run_sync(args.folder, settings, mode=args.mode, action=args.action)
    if run.outcome is None:
        print(f"refused: {run.refusal}", file=sys.stderr)  # noqa: T201
        return run.verdict.exit_code
    outcome = run.outcome
    print(f"{outcome.batch_id}: {run.status}")  # noqa: T201
    print(f"  results: {run.report.workbook}")  # noqa: T201
    for reason in outcome.reasons:
        print(f"  {outcome.status}: {reason}")  # noqa: T201
    for entity, change, n in outcome.counts.counts.iter_rows():
        print(f"  {entity:<18} {change:<12} {n:>9}")  # noqa: T201
    return run.verdict.exit_code


if __name__ == "__main__":
    sys.exit(main())
