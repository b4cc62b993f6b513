"""``change_log``: every applied change, kept as entries per version and one row per version.

A first load creates every record of the district (millions of ``created`` changes), so what is
the same for all of a version's changes (batch, run, tenant, time) is stored once, in
``change_log_runs``; ``change_log_entries`` holds the changes themselves. An entity a version
created whole (its table's first load) is a row of ``change_log_loads`` instead of a ``created``
entry per record: those records are where the table's history starts (``history.<table>`` valid
from that version), so they are not written twice. ``change_log`` is the view analysts query,
with the columns it always had, the loads' records among them.
"""

from __future__ import annotations

import duckdb

from roster_pipeline.resolve import sql_files
from roster_pipeline.sync import history
from roster_pipeline.sync.changes import ENTITIES, LINKS, table_exists
from roster_pipeline.sync.link_changes import link_id
from roster_pipeline.sync.settings import SyncSettings
from roster_pipeline.tables import LINKS_TABLE

RUN_ROW = (
    "INSERT INTO change_log_runs VALUES ($version, $batch, $run, $tenant, $app, current_timestamp)"
)
ENTRIES = (
    "INSERT INTO change_log_entries SELECT $version, entity, sourced_id, change, field, "
    "old_value, new_value FROM change_set WHERE applied AND NOT (change = 'created' "
    "AND list_contains($loaded, entity))"
)
HISTORY_RELATIONS = (
    "SELECT view_name FROM duckdb_views() WHERE database_name = current_database() "
    "AND schema_name = 'history' UNION ALL SELECT table_name FROM duckdb_tables() "
    "WHERE database_name = current_database() AND schema_name = 'history'"
)
CREATED = (
    "SELECT entity, count(*) FROM change_set WHERE applied AND change = 'created' GROUP BY entity"
)
LOADED = {LINKS: LINKS_TABLE}
"""Entity -> its table, where they are not named alike."""
LOADED_IDS = {LINKS: link_id("student_sourced_id", "guardian_sourced_id", "source")}
"""Entity -> its change set id, from its table's columns, where that is not ``sourced_id``."""
VIEW_ENTRIES = (
    "SELECT r.batch_id, r.run_id, r.tenant_id, r.application_id, e.version, e.entity, "
    "e.sourced_id, e.change, e.field, e.old_value, e.new_value, r.changed_at "
    "FROM change_log_entries e JOIN change_log_runs r ON r.version = e.version"
)
# The records a load created: its table's rows valid from the load's version (each once).
VIEW_LOADED = (
    "SELECT r.batch_id, r.run_id, r.tenant_id, r.application_id, c.version, c.entity, "
    "k.sourced_id, 'created' AS change, NULL::VARCHAR AS field, NULL::VARCHAR AS old_value, "
    "NULL::VARCHAR AS new_value, r.changed_at FROM change_log_loads c "
    "JOIN change_log_runs r ON r.version = c.version "
    "JOIN (SELECT DISTINCT {id} AS sourced_id, valid_from FROM history.{table}) k "
    "ON k.valid_from = c.version WHERE c.entity = '{entity}'"
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
    _make_view(con)


def _make_view(con: duckdb.DuckDBPyConnection) -> None:
    """``change_log``: the stored entries and the records of every load."""
    loads = sql_files.execute(con, "SELECT DISTINCT entity FROM change_log_loads ORDER BY 1")
    readable = {name for (name,) in sql_files.execute(con, HISTORY_RELATIONS)} if loads else set()
    parts = [VIEW_ENTRIES]
    for (entity,) in loads:
        if entity not in ENTITIES:  # names from the project's own list only
            raise ValueError(f"unexpected entity {entity!r} in change_log_loads")
        table = LOADED.get(entity, entity)
        if table not in readable:  # an earlier release's history, not yet carried on
            continue
        parts.append(
            VIEW_LOADED.format(entity=entity, table=table, id=LOADED_IDS.get(entity, "sourced_id"))
        )
    sql_files.execute(con, "CREATE OR REPLACE VIEW change_log AS " + " UNION ALL ".join(parts))


def _loaded(con: duckdb.DuckDBPyConnection, version: int) -> list[str]:
    """The entities ``version`` created whole (their records not stored as entries).

    An entity's table has its history start at ``version``, and every row of it is a record
    the change set creates.
    """
    bases = history.table_bases(con)
    loaded = []
    for entity, created in sql_files.execute(con, CREATED):
        table = LOADED.get(entity, entity)
        if entity not in ENTITIES or bases.get(table) != version:
            continue
        if sql_files.execute(con, f"SELECT count(*) FROM main.{table}")[0][0] == created:
            loaded.append(entity)
    return sorted(loaded)


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
    loaded = _loaded(con, version)
    for entity in loaded:
        sql_files.execute(
            con,
            "INSERT INTO change_log_loads VALUES (?, ?, ?)",
            [version, entity, LOADED.get(entity, entity)],
        )
    sql_files.execute(con, ENTRIES, {"version": version, "loaded": loaded})
    _make_view(con)  # every table's history view is there after a commit
