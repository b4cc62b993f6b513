"""What a planned run becomes: previewed, held (and why) or applied; a held plan checked.

A run in ``apply`` mode is held when a safeguard trips (a truncated or empty file, too many
deactivations or updates), unless the changes are the school year's rollover inside a window
the district approved in advance. ``approve`` applies a held batch only if the live tables and
the settings are still those it was held under; ``discard`` closes it unapplied.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from roster_pipeline.resolve import sql_files
from roster_pipeline.sync import history, rollover, safeguards
from roster_pipeline.sync.change_counts import ChangeCounts
from roster_pipeline.sync.outcome import SyncOutcome
from roster_pipeline.sync.settings import SyncSettings


class SyncRefusedError(RuntimeError):
    """The run asked for cannot be done (nothing held, a stale plan, an unknown batch)."""


LAST_APPLY_RUN = (
    "SELECT status, live_version, plan_digest, settings FROM sync_runs "
    "WHERE batch_id = ? AND mode = 'apply' ORDER BY started_at DESC LIMIT 1"
)


def held_run(con: duckdb.DuckDBPyConnection, batch_id: str) -> tuple:
    """The batch's held run (status, live_version, plan_digest, settings); refused if none."""
    rows = sql_files.execute(con, LAST_APPLY_RUN, [batch_id])
    if not rows or rows[0][0] != "held":
        state = rows[0][0] if rows else "never run"
        raise SyncRefusedError(f"batch {batch_id} is not held (its last apply run: {state}).")
    return rows[0]


def decide(
    con: duckdb.DuckDBPyConnection,
    *,
    files: pl.DataFrame,
    counts: ChangeCounts,
    settings: SyncSettings,
    today: date,
    mode: str,
    action: str,
    batch_id: str,
    plan: tuple[int, str],
) -> tuple[str, list[str]]:
    """The run's status and what it says of it: why it is held, or why it was not.

    ``files``: each file's kind, manifest mode and rows read; ``plan``: the live version the
    run started from and its change set's digest. An ``approve`` of a stale plan is refused.
    """
    file_holds = safeguards.file_reasons(files, safeguards.last_good_rows(con), settings.thresholds)
    change_holds = safeguards.change_reasons(counts, settings.thresholds)
    reasons, notes = [*file_holds, *change_holds], []
    turn = rollover.detect(con, counts) if change_holds else None
    if turn is not None:
        reasons = [turn.describe(), *reasons]
        window = rollover.approved_in_advance(settings.rollover_window, today)
        if window and not file_holds:  # an empty or truncated file is never approved ahead
            notes = [f"{turn.describe()} Applied: rollovers are approved in advance ({window})."]
            reasons = []
    if action == "approve":
        _, held_version, held_digest, held_settings = held_run(con, batch_id)
        if (held_version, held_digest, held_settings) != (*plan, settings.fingerprint()):
            raise SyncRefusedError(
                f"batch {batch_id}: the held plan is stale (the live tables or the "
                "settings changed since it was held). Run it again to see the current plan."
            )
    if mode == "preview":
        status = "previewed"
    elif reasons and action != "approve":
        status = "held"
    else:
        status = "applied"
    return status, reasons or notes


def discard(con: duckdb.DuckDBPyConnection, batch_id: str, run_id: str) -> SyncOutcome:
    """Close a held batch without applying it."""
    held_run(con, batch_id)
    counts = con.sql(
        "SELECT entity, change, n FROM sync_run_counts WHERE run_id = (SELECT run_id FROM "
        "sync_runs WHERE batch_id = ? AND status = 'held' ORDER BY started_at DESC LIMIT 1)",
        params=[batch_id],
    ).pl()
    sql_files.execute(
        con,
        "UPDATE batches SET status = 'discarded' WHERE batch_id = ? AND status = 'held'",
        [batch_id],
    )
    return SyncOutcome(
        run_id,
        batch_id,
        "apply",
        "discard",
        "discarded",
        ["Discarded by request: nothing was applied."],
        ChangeCounts(counts, pl.DataFrame()),
        history.current_version(con),
    )
