"""Versions of the live tables: every apply is a version; every version can be restored.

``live_versions`` numbers each apply (a roster sync, an upload, a restore). ``history.<table>``
keeps every version of every row, valid from one live version to (not including) another, so
the state after any batch is one query away, and storage grows only with what changed.
"""

from __future__ import annotations

import duckdb

from roster_pipeline.resolve import sql_files
from roster_pipeline.resolve.apply_batch import ROSTER_TABLES
from roster_pipeline.sync.changes import table_exists

HISTORY_TABLES = (*ROSTER_TABLES, "student_guardians", "staff_permissions")
ROW_KEYS = {
    "student_guardians": ("student_sourced_id", "guardian_sourced_id", "source"),
    "staff_permissions": ("user_sourced_id", "permission"),
}
"""What identifies a row of a table without a sourced_id."""
_HIDDEN = "_row_hash, valid_from, valid_to"

CREATE_VERSIONS = (
    "CREATE TABLE IF NOT EXISTS live_versions (version BIGINT, batch_id VARCHAR, kind VARCHAR, "
    "applied_at TIMESTAMP)"
)
# A row version is its key plus a 64-bit hash of the whole row (DuckDB's hash(): fast; matching
# it within one key makes a collision between versions practically impossible).
START_HISTORY = (
    "CREATE TABLE history.{table} AS SELECT hash(x) AS _row_hash, x.*, "
    "CAST($version AS BIGINT) AS valid_from, NULL::BIGINT AS valid_to FROM main.{table} x"
)
LIVE_HASHES = (
    "CREATE OR REPLACE TEMP TABLE live_hashes AS SELECT {keys}, hash(x) AS _row_hash "
    "FROM main.{table} x WHERE {scope}"
)
CLOSE_ENDED = (
    "UPDATE history.{table} AS h SET valid_to = $version WHERE h.valid_to IS NULL AND {scope} "
    "AND NOT EXISTS (SELECT 1 FROM live_hashes x WHERE {match} AND x._row_hash = h._row_hash)"
)
# A table of which only ``changed_<table>`` was rewritten kept its other rows as they were: only
# the rewritten records can have ended or new versions.
REWRITTEN = "{alias}.sourced_id IN (SELECT sourced_id FROM changed_{table})"
NEW_VERSIONS = (
    "CREATE OR REPLACE TEMP TABLE new_versions AS SELECT * FROM live_hashes x WHERE NOT EXISTS "
    "(SELECT 1 FROM history.{table} h WHERE h.valid_to IS NULL AND {match} "
    "AND h._row_hash = x._row_hash)"
)
OPEN_NEW = (
    "INSERT INTO history.{table} BY NAME SELECT hash(x) AS _row_hash, x.*, "
    "$version AS valid_from, NULL::BIGINT AS valid_to FROM main.{table} x "
    "SEMI JOIN new_versions h ON {match}"
)
AS_OF = (
    "(SELECT * EXCLUDE (" + _HIDDEN + ") FROM history.{table} "
    "WHERE valid_from <= {version} AND (valid_to IS NULL OR valid_to > {version}))"
)


def _keys(table: str) -> tuple[str, ...]:
    return ROW_KEYS.get(table, ("sourced_id",))


def _match(table: str) -> str:
    """SQL matching a live row ``x`` to a history row ``h`` of the same record."""
    return " AND ".join(f"x.{k} = h.{k}" for k in _keys(table))


class UnknownVersionError(LookupError):
    """No applied version matches the batch asked for."""


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The live tables' version (0 before anything was applied)."""
    if not table_exists(con, "live_versions"):
        return 0
    return int(sql_files.execute(con, "SELECT coalesce(max(version), 0) FROM live_versions")[0][0])


def commit_version(
    con: duckdb.DuckDBPyConnection, batch_id: str, kind: str, changed_only: tuple[str, ...] = ()
) -> int:
    """Number the live tables as they now are and record their rows' history.

    ``changed_only``: tables of which only ``changed_<table>`` was rewritten (the other rows'
    history stays open without comparing them).
    """
    sql_files.execute(con, CREATE_VERSIONS)
    sql_files.execute(con, "CREATE SCHEMA IF NOT EXISTS history")
    version = current_version(con) + 1
    sql_files.execute(
        con,
        "INSERT INTO live_versions VALUES ($version, $batch, $kind, current_timestamp)",
        {"version": version, "batch": batch_id, "kind": kind},
    )
    for table in HISTORY_TABLES:
        if not table_exists(con, table):
            continue
        sql = {"table": table, "match": _match(table)}
        if not table_exists(con, table, schema="history"):
            sql_files.execute(con, START_HISTORY.format(**sql), {"version": version})
            continue
        scoped = table in changed_only
        live_scope = REWRITTEN.format(alias="x", table=table) if scoped else "true"
        history_scope = REWRITTEN.format(alias="h", table=table) if scoped else "true"
        sql_files.execute(
            con, LIVE_HASHES.format(keys=", ".join(_keys(table)), scope=live_scope, **sql)
        )
        sql_files.execute(con, CLOSE_ENDED.format(scope=history_scope, **sql), {"version": version})
        sql_files.execute(con, NEW_VERSIONS.format(**sql))
        sql_files.execute(con, OPEN_NEW.format(**sql), {"version": version})
    return version


def version_after(con: duckdb.DuckDBPyConnection, batch_id: str) -> int:
    """The version the live tables had right after ``batch_id`` was last applied."""
    row = (
        sql_files.execute(
            con, "SELECT max(version) FROM live_versions WHERE batch_id = ?", [batch_id]
        )
        if table_exists(con, "live_versions")
        else [(None,)]
    )
    if row[0][0] is None:
        raise UnknownVersionError(f"batch {batch_id!r} was never applied; nothing to restore.")
    return int(row[0][0])


def as_of(con: duckdb.DuckDBPyConnection, version: int) -> dict[str, str]:
    """Table -> SQL of its rows as they were at ``version`` (tables with a history)."""
    return {
        table: AS_OF.format(table=table, version=int(version))
        for table in HISTORY_TABLES
        if table_exists(con, table, schema="history")
    }
