"""Sync one batch folder without Dagster (the settings come from the same environment variables).

    python -m roster_pipeline.sync --folder data/drop/2026-11-23 --mode preview
    python -m roster_pipeline.sync --folder data/drop/2026-11-23 --mode apply [--action approve]

Prints the run's status, hold reasons, counts per entity and change (never a value), and the
path of the results workbook (summary, changes, files, findings) written for the run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from roster_pipeline.defs.roster.resources import DEFAULT_DUCKDB_PATH, RosterSettings
from roster_pipeline.defs.sync.resources import DistrictSettings
from roster_pipeline.reports import sync_plot
from roster_pipeline.reports.sync_report import write_sync_report
from roster_pipeline.sync.run import ACTIONS, MODES, REJECTED, SyncRefusedError, sync_folder
from roster_pipeline.warehouse import Warehouse, WarehouseBusyError


def main(argv: list[str] | None = None) -> int:
    """Run the command; 0 applied or previewed, 1 held or rejected, 2 refused."""
    parser = argparse.ArgumentParser(prog="python -m roster_pipeline.sync", description=__doc__)
    parser.add_argument(
        "--folder", type=Path, required=True, help="the batch: a folder or a .zip file"
    )
    parser.add_argument("--db", type=Path, default=DEFAULT_DUCKDB_PATH, help="the DuckDB file")
    parser.add_argument("--mode", choices=MODES, default="preview")
    parser.add_argument("--action", choices=ACTIONS, default="run")
    parser.add_argument("--results", type=Path, help="folder of the results workbook and plot")
    args = parser.parse_args(argv)
    roster = RosterSettings()
    district = DistrictSettings()
    try:
        sync_plot.warm_up()  # the report's plotting import, while the sync runs
        outcome = sync_folder(
            args.folder,
            Warehouse(args.db),
            district.sync_settings(roster),
            mode=args.mode,
            action=args.action,
            scope_school=roster.scope_school,
            limits=roster.archive_limits(),
        )
    except (SyncRefusedError, WarehouseBusyError) as refused:
        print(f"refused: {refused}", file=sys.stderr)  # noqa: T201
        return 2
    report = write_sync_report(outcome, args.results or district.results_folder(args.db))
    print(f"{outcome.batch_id}: {outcome.status}")  # noqa: T201
    print(f"  results: {report.workbook}")  # noqa: T201
    for reason in outcome.reasons:
        print(f"  {outcome.status}: {reason}")  # noqa: T201
    for entity, change, n in outcome.counts.counts.iter_rows():
        print(f"  {entity:<18} {change:<12} {n:>9}")  # noqa: T201
    return 1 if outcome.status in ("held", REJECTED) else 0


if __name__ == "__main__":
    sys.exit(main())
