"""``change_log``: every applied change, kept as entries per version and one row per version.

A first load creates every record of the district (millions of ``created`` changes), so what is
the same for all of a version's changes (batch, run, tenant, time) is stored once, in
``change_log_runs``; ``change_log_entries`` holds the changes themselves. ``change_log`` is the
view analysts query, with the columns it always had.
"""

from __future__ import annotations

import duckdb

from roster_pipeline.resolve import sql_files
from roster_pipeline.sync.changes import table_exists
from roster_pipeline.sync.settings import SyncSettings

RUN_ROW = (
    "INSERT INTO change_log_runs VALUES ($version, $batch, $run, $tenant, $app, current_timestamp)"
)
ENTRIES = (
    "INSERT INTO change_log_entries SELECT $version, entity, sourced_id, change, field, "
    "old_value, new_value FROM change_set WHERE applied"
)
# A change_log stored whole (one table, every column on every row) by an earlier release.
SPLIT_WHOLE_TABLE = (
    "CREATE TABLE change_log_runs AS SELECT version, any_value(batch_id) AS batch_id, "
    "any_value(run_id) AS run_id, any_value(tenant_id) AS tenant_id, "
    "any_value(application_id) AS application_id, max(changed_at) AS changed_at "
    "FROM change_log GROUP BY version",
    "CREATE TABLE change_log_entries AS SELECT version, entity, sourced_id, change, field, "
    "old_value, new_value FROM change_log",
    "DROP TABLE change_log",
)


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the sync history tables (and the ``change_log`` view) if they are missing."""
    if table_exists(con, "change_log"):
        for sql in SPLIT_WHOLE_TABLE:
            sql_files.execute(con, sql)
    sql_files.run(con, "sync_tables")


def record(
    con: duckdb.DuckDBPyConnection, batch_id: str, run_id: str, settings: SyncSettings, version: int
) -> None:
    """Append the applied rows of the change set to ``change_log`` as ``version``."""
    params = {
        "batch": batch_id,
        "run": run_id,
        "tenant": settings.tenant_id,
        "app": settings.application_id,
        "version": version,
    }
    sql_files.execute(con, RUN_ROW, params)
    sql_files.execute(con, ENTRIES, {"version": version})
