"""A sync run's rows in ``sync_runs``, ``sync_run_counts`` and ``sync_plan``."""

from __future__ import annotations

from datetime import datetime

import duckdb

from roster_pipeline import __version__ as PIPELINE_VERSION
from roster_pipeline.resolve import sql_files
from roster_pipeline.sync import change_log, changes, history
from roster_pipeline.sync.outcome import SyncOutcome
from roster_pipeline.sync.settings import SyncSettings
from roster_pipeline.warehouse import Warehouse

REJECTED = "rejected"
"""The status of a batch nothing of which can be applied."""


def record_run(
    con: duckdb.DuckDBPyConnection,
    outcome: SyncOutcome,
    settings: SyncSettings,
    live_version: int,
    digest: str,
    started: datetime,
) -> None:
    """Append the run to ``sync_runs`` and ``sync_run_counts``; keep its plan in ``sync_plan``."""
    totals = outcome.counts.totals()
    sql_files.execute(
        con,
        "INSERT INTO sync_runs (run_id, batch_id, tenant_id, application_id, mode, action, "
        "status, reason, live_version, applied_version, plan_digest, settings, started_at, "
        "finished_at, created, updated, deactivated, reactivated, archived, unarchived, "
        "unchanged, skipped, pipeline_version) VALUES ($run, $batch, $tenant, $app, $mode, "
        "$action, $status, $reason, $live, $applied, $digest, $settings, $started, "
        "current_timestamp, $created, $updated, $deactivated, $reactivated, $archived, "
        "$unarchived, $unchanged, $skipped, $pipeline)",
        {
            "run": outcome.run_id,
            "batch": outcome.batch_id,
            "tenant": settings.tenant_id,
            "app": settings.application_id,
            "mode": outcome.mode,
            "action": outcome.action,
            "status": outcome.status,
            "reason": " ".join(outcome.reasons) or None,
            "live": live_version,
            "applied": outcome.version if outcome.status == "applied" else None,
            "digest": digest,
            "settings": settings.fingerprint(),
            "started": started,
            "pipeline": PIPELINE_VERSION,
            **{c: totals.get(c, 0) for c in (*changes.CHANGES, "unchanged", "skipped")},
        },
    )
    con.register("run_counts", outcome.counts.counts.to_arrow())
    sql_files.execute(
        con,
        "INSERT INTO sync_run_counts SELECT $run, $batch, entity, change, n FROM run_counts",
        {"run": outcome.run_id, "batch": outcome.batch_id},
    )
    con.unregister("run_counts")
    if outcome.action == "discard" or outcome.status == REJECTED:
        return
    sql_files.execute(con, "DELETE FROM sync_plan WHERE batch_id = ?", [outcome.batch_id])
    kept = "true" if outcome.status in ("previewed", "held") else "NOT applied"
    sql_files.execute(
        con,
        f"INSERT INTO sync_plan SELECT $run, $batch, * FROM change_set WHERE {kept} "
        "ORDER BY entity, sourced_id, field",
        {"run": outcome.run_id, "batch": outcome.batch_id},
    )


def record_failure(
    store: Warehouse, batch_id: str, run_id: str, mode: str, action: str, settings: SyncSettings
) -> None:
    """A run that failed leaves the live tables as they were; say so in ``sync_runs``."""
    with store.writer() as con:
        change_log.ensure_tables(con)
        sql_files.execute(
            con,
            "INSERT INTO sync_runs (run_id, batch_id, tenant_id, application_id, mode, action, "
            "status, reason, live_version, settings, started_at, finished_at) VALUES "
            "(?, ?, ?, ?, ?, ?, 'failed', 'The run failed; see its log. Nothing was applied.', "
            "?, ?, current_timestamp, current_timestamp)",
            [
                run_id,
                batch_id,
                settings.tenant_id,
                settings.application_id,
                mode,
                action,
                history.current_version(con),
                settings.fingerprint(),
            ],
        )
