"""Restore the live tables to their state right after an earlier batch.

    python -m roster_pipeline.cli.restore --batch <batch_id> [--db data/roster.duckdb]
    python -m roster_pipeline.cli.restore --list [--db data/roster.duckdb]

The DuckDB file and tenant ids are the district's settings (docs/settings.md), as for a sync.

The restore is itself a version: it appears in live_versions, sync_runs and change_log, and can
be undone by restoring the batch that was live before it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from roster_pipeline.settings.load import load_district
from roster_pipeline.settings.values import SettingsError
from roster_pipeline.sync.restore_version import restore
from roster_pipeline.sync.run import SyncRefusedError
from roster_pipeline.warehouse import Warehouse, WarehouseBusyError


def versions(store: Warehouse) -> list[tuple]:
    """Every live version: number, batch id, kind, when."""
    with store.reader() as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "live_versions" not in tables:
            return []
        return con.execute(
            "SELECT version, batch_id, kind, applied_at FROM live_versions ORDER BY version"
        ).fetchall()


def main(argv: list[str] | None = None) -> int:
    """Run the command; 0 on success, 2 when the restore is refused."""
    parser = argparse.ArgumentParser(
        prog="python -m roster_pipeline.cli.restore",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", type=Path, help="the DuckDB file (default: ROSTER_DUCKDB_PATH)")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--batch", help="restore the state right after this batch was applied")
    which.add_argument("--list", action="store_true", help="list the versions one can restore")
    args = parser.parse_args(argv)
    try:
        district = load_district(overrides={"duckdb_path": str(args.db)} if args.db else None)
    except SettingsError as bad:
        print(f"settings: {bad}", file=sys.stderr)  # noqa: T201
        return 2
    store = district.warehouse()
    if args.list:
        for version, batch_id, kind, applied_at in versions(store):
            print(f"{version:>5}  {applied_at:%Y-%m-%d %H:%M:%S}  {kind:<22} {batch_id}")  # noqa: T201
        return 0
    try:
        outcome = restore(store, args.batch, district.sync_settings())
    except (SyncRefusedError, WarehouseBusyError) as refused:
        print(f"refused: {refused}", file=sys.stderr)  # noqa: T201
        return 2
    totals = ", ".join(f"{k} {v}" for k, v in sorted(outcome.counts.totals().items()))
    print(f"restored the state after {args.batch} as version {outcome.version}: {totals}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
