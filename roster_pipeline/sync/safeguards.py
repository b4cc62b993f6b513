"""Safeguards: when a change set looks like a broken export, hold it instead of applying it."""

from __future__ import annotations

import duckdb
import polars as pl

from roster_pipeline.resolve import sql_files
from roster_pipeline.sync.change_counts import ChangeCounts
from roster_pipeline.sync.changes import table_exists
from roster_pipeline.sync.settings import Thresholds

# Rows per file kind in the newest applied roster batch: what "far fewer rows" is measured against.
LAST_GOOD_ROWS = """
SELECT f.kind, f.rows_read
FROM batch_files f
WHERE f.batch_id = (
    SELECT batch_id FROM batches WHERE kind = 'roster' AND status = 'applied'
    ORDER BY applied_at DESC LIMIT 1
)
"""


def last_good_rows(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """File kind -> rows read in the last applied roster batch (empty before the first)."""
    if not table_exists(con, "batch_files"):
        return {}
    return dict(sql_files.execute(con, LAST_GOOD_ROWS))


def file_reasons(files: pl.DataFrame, last_good: dict[str, int], limits: Thresholds) -> list[str]:
    """Empty or truncated bulk files (``files``: kind, mode, rows_read)."""
    reasons = []
    for kind, mode, rows in files.select("kind", "mode", "rows_read").iter_rows():
        if mode != "bulk":
            continue
        before = last_good.get(kind, 0)
        if rows == 0 and before:  # before the first load there is nothing to wipe
            reasons.append(
                f"{kind}.csv is empty: an empty bulk file would deactivate every record, "
                "so nothing was applied."
            )
        elif before and rows < limits.truncated_ratio * before:
            reasons.append(
                f"{kind}.csv looks truncated: {rows} rows against {before} in the last applied "
                f"batch (below {limits.truncated_ratio:.0%})."
            )
    return reasons


def change_reasons(counts: ChangeCounts, limits: Thresholds) -> list[str]:
    """Entities where too many records would be deactivated or updated."""
    reasons = []
    for entity, live_active, _ in counts.sizes.iter_rows():
        if live_active < limits.min_records:
            continue
        gone = sum(counts.n(entity, c) for c in ("deactivated", "archived"))
        updated = counts.n(entity, "updated")
        for n, limit, word in (
            (gone, limits.deactivate_pct, "deactivated"),
            (updated, limits.update_pct, "updated"),
        ):
            share = 100.0 * n / live_active
            if share > limit:
                reasons.append(
                    f"{entity}: {n} of {live_active} active records would be {word} "
                    f"({share:.1f}% > {limit:g}%)."
                )
    return reasons


def hold_reasons(
    con: duckdb.DuckDBPyConnection, counts: ChangeCounts, files: pl.DataFrame, limits: Thresholds
) -> list[str]:
    """Every reason to hold this change set (none: it may be applied)."""
    return file_reasons(files, last_good_rows(con), limits) + change_reasons(counts, limits)
