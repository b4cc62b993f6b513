"""Versions of the live tables: every apply is a version; every version can be restored.

``live_versions`` numbers each apply (a roster sync, an upload, a restore). ``history.<table>``
is every version of every row, valid from one live version to (not including) another, so the
state after any batch is one query away.

Storage grows only with what changed. A table's first load copies nothing: the version it was
first committed at is its *base* (``history.bases``), and a live row that has not changed since
is valid from the base without being stored twice. ``history.<table>_versions`` stores every
row version that ended, whole; a live row changed after the base is not stored again either:
``history.<table>_since`` says from which version it is valid (its key, its row hash, the
version). ``history.<table>`` is a view of the ended versions and the live rows, with the same
columns either way.

What a commit compares it takes from the published file, attached read-only as ``published``
by ``Warehouse.writer``: the live tables as they were when the run began.
"""

from __future__ import annotations

import re

import duckdb

from roster_pipeline.resolve import live_write, quiet_rows, sql_files
from roster_pipeline.sync.changes import table_exists, tables
from roster_pipeline.tables import ROSTER_TABLES
from roster_pipeline.warehouse import PUBLISHED

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
CREATE_BASES = "CREATE TABLE IF NOT EXISTS history.bases (table_name VARCHAR, version BIGINT)"
# A row version is its key plus a 64-bit hash of the whole row (DuckDB's hash(): fast; matching
# it within one key makes a collision between versions practically impossible).
START_STORED = (
    "CREATE TABLE history.{table}_versions AS SELECT hash(x) AS _row_hash, x.*, "
    "NULL::BIGINT AS valid_from, NULL::BIGINT AS valid_to FROM main.{table} x LIMIT 0"
)
START_SINCE = (
    "CREATE TABLE history.{table}_since AS SELECT {keys}, hash(x) AS _row_hash, "
    "NULL::BIGINT AS valid_from FROM main.{table} x LIMIT 0"
)
# An earlier release stored the open version of a record changed after the base whole: each
# becomes the version it is valid from.
SINCE_FROM_OPEN = (
    "INSERT INTO history.{table}_since SELECT {keys}, _row_hash, valid_from "
    "FROM history.{table}_versions WHERE valid_to IS NULL",
    "DELETE FROM history.{table}_versions WHERE valid_to IS NULL",
)
# The ended versions, and every live row: valid since the version it started at, or the base.
HISTORY_VIEW = """
CREATE OR REPLACE VIEW history.{table} AS
SELECT * FROM history.{table}_versions
UNION ALL BY NAME
SELECT hash(x) AS _row_hash, x.*, coalesce(h.valid_from, b.version) AS valid_from,
       NULL::BIGINT AS valid_to
FROM main.{table} x
CROSS JOIN (SELECT version FROM history.bases WHERE table_name = '{table}') b
LEFT JOIN history.{table}_since h ON {match} AND h._row_hash = hash(x)
"""
ROW_HASHES = (
    "CREATE OR REPLACE TEMP TABLE {name} AS SELECT {keys}, hash(x) AS _row_hash FROM {relation} x"
)
# A scoped comparison reads the rows in scope once from each side, whole, with their hashes.
SCOPED_ROWS = (
    "CREATE OR REPLACE TEMP TABLE {name} AS SELECT x.*, hash(x) AS _row_hash "
    "FROM {relation} x WHERE {scope}"
)
# Row versions on one side only: ended (before, not after) and started (after, not before).
ONE_SIDED = (
    "CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {side} x WHERE NOT EXISTS "
    "(SELECT 1 FROM {other} h WHERE {match} AND h._row_hash = x._row_hash)"
)
# An ended version is stored whole, valid from the version it started at (or the base); its
# rows come from the comparison's own rows where it read them whole, else from the table before.
ENDED = (
    "INSERT INTO history.{table}_versions BY NAME SELECT x.*, "
    "coalesce(h.valid_from, $base) AS valid_from, $version AS valid_to FROM {ended} x "
    "LEFT JOIN history.{table}_since h ON {match} AND h._row_hash = x._row_hash"
)
ENDED_ROWS = (
    "(SELECT hash(x) AS _row_hash, x.* FROM {before} x "
    "SEMI JOIN ended_rows h ON {match} AND h._row_hash = hash(x))"
)
# Their starts are forgotten, and every started version is valid from this one.
SINCE_ENDED = (
    "DELETE FROM history.{table}_since h WHERE EXISTS "
    "(SELECT 1 FROM ended_rows x WHERE {match} AND x._row_hash = h._row_hash)"
)
SINCE_STARTED = (
    "INSERT INTO history.{table}_since SELECT {keys}, _row_hash, $version FROM started_rows"
)
# A table of which only ``changed_<table>`` was rewritten kept its other rows as they were: only
# the rewritten records can have ended or started versions, and the write kept both sides
# (live_write.REPLACED, WRITTEN); of the links, only those in the scope, read from each side.
REWRITTEN = (
    f"(SELECT * EXCLUDE (_rid) FROM {live_write.REPLACED})",
    live_write.WRITTEN,
)
SCOPES = {"student_guardians": quiet_rows.LINK_SCOPE}
AS_OF = (
    "(SELECT * EXCLUDE (" + _HIDDEN + ") FROM history.{table} "
    "WHERE valid_from <= {version} AND (valid_to IS NULL OR valid_to > {version}))"
)


class UnknownVersionError(LookupError):
    """No applied version matches the batch asked for."""


class NoPublishedStateError(RuntimeError):
    """A commit needs the state before the run (``published``), and it is not attached."""


def _keys(table: str) -> tuple[str, ...]:
    return ROW_KEYS.get(table, ("sourced_id",))


def _match(table: str, left: str = "x") -> str:
    """SQL matching a row ``left`` to a row ``h`` of the same record."""
    return " AND ".join(f"{left}.{k} = h.{k}" for k in _keys(table))


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The live tables' version (0 before anything was applied)."""
    if not table_exists(con, "live_versions"):
        return 0
    return int(sql_files.execute(con, "SELECT coalesce(max(version), 0) FROM live_versions")[0][0])


def version_stamp(con: duckdb.DuckDBPyConnection) -> str:
    """What tells this live state from any other: its version, batch and time of apply.

    Two warehouses can both be at version 5; they are the same state only if the same batch
    made it at the same moment. ``""`` before anything was applied.
    """
    if not table_exists(con, "live_versions"):
        return ""
    row = sql_files.execute(
        con,
        "SELECT coalesce(CAST(hash(version, batch_id, kind, applied_at) AS VARCHAR), '') "
        "FROM live_versions ORDER BY version DESC LIMIT 1",
    )
    return f"{current_version(con)}-{row[0][0]}" if row else ""


def table_bases(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Table -> the version its history starts at (tables with a history)."""
    if not table_exists(con, "bases", schema="history"):
        return {}
    rows = sql_files.execute(con, "SELECT table_name, version FROM history.bases")
    return {table: int(version) for table, version in rows}


def _published_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The live tables as they were before the run (refused when that state is not attached)."""
    attached = sql_files.execute(
        con, "SELECT count(*) FROM duckdb_databases() WHERE database_name = ?", [PUBLISHED]
    )[0][0]
    if not attached:
        raise NoPublishedStateError(
            "history needs the live tables as they were before the run: open the connection "
            f"with Warehouse.writer(), which attaches them as '{PUBLISHED}'."
        )
    rows = sql_files.execute(
        con,
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main'",
        [PUBLISHED],
    )
    return {table for (table,) in rows}


def _start(con: duckdb.DuckDBPyConnection, table: str, version: int, stored: set[str]) -> int:
    """Begin ``table``'s history; its base version (its rows are valid from there).

    A first commit copies nothing: the base is ``version``. A history stored whole by an earlier
    release (``history.<table>`` a table) becomes the stored versions, with base 0 (every live
    row has its open version stored, so none is valid from the base).
    """
    if table in stored:
        sql_files.execute(con, f"ALTER TABLE history.{table} RENAME TO {table}_versions")
        version = 0
    else:
        sql_files.execute(con, START_STORED.format(table=table))
    stored.add(f"{table}_versions")
    sql_files.execute(con, "INSERT INTO history.bases VALUES (?, ?)", [table, version])
    _since(con, table, stored)
    sql_files.execute(con, HISTORY_VIEW.format(table=table, match=_match(table)))
    return version


def _since(con: duckdb.DuckDBPyConnection, table: str, stored: set[str]) -> None:
    """Make ``history.<table>_since`` where it is missing, and the view that reads it.

    An earlier release stored the open versions whole: each becomes the start it names.
    ``stored``: the history schema's tables (kept up to date here).
    """
    if f"{table}_since" in stored:
        return
    sql = {"table": table, "keys": ", ".join(_keys(table))}
    sql_files.execute(con, START_SINCE.format(**sql))
    stored.add(f"{table}_since")
    for statement in SINCE_FROM_OPEN:
        sql_files.execute(con, statement.format(**sql))
    sql_files.execute(con, HISTORY_VIEW.format(table=table, match=_match(table)))


_TYPE = re.compile(r"^[A-Z][A-Z0-9_ ,()\[\]]*$")
"""A column type as DuckDB names it (VARCHAR, TIMESTAMP, VARCHAR[], DECIMAL(18,3))."""


_COLUMNS = (
    "SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() "
    "WHERE database_name = current_database() AND schema_name IN ('main', 'history') "
    "ORDER BY column_index"
)


def _columns(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(schema, table) -> its columns and their types, in order, for main and history."""
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for schema, table, column, kind in sql_files.execute(con, _COLUMNS):
        found.setdefault((schema, table), []).append((column, kind))
    return found


def _evolve(
    con: duckdb.DuckDBPyConnection, table: str, columns: dict[tuple[str, str], list]
) -> None:
    """Add the columns the live table gained since its history began to the stored versions.

    They are null in the versions before; the view is made again to show them. ``columns``:
    ``_columns`` before the commit (a history renamed in it is looked up again).
    """
    if ("history", f"{table}_versions") not in columns:
        columns = _columns(con)
    stored = {c for c, _ in columns[("history", f"{table}_versions")]}
    live = columns[("main", table)]
    added = [(c, kind) for c, kind in live if c not in stored]
    for column, kind in added:
        if not (column.replace("_", "").isalnum() and _TYPE.match(kind)):
            raise ValueError(f"unexpected column {column!r} of type {kind!r} in {table}")
        sql_files.execute(con, f'ALTER TABLE history.{table}_versions ADD COLUMN "{column}" {kind}')
    if added:
        sql_files.execute(con, HISTORY_VIEW.format(table=table, match=_match(table)))


def _record_changes(
    con: duckdb.DuckDBPyConnection,
    table: str,
    base: int,
    version: int,
    *,
    scoped: bool,
    before: str,
) -> None:
    """Store the row versions of ``table`` that ended with ``version``; note those it started.

    ``before``: the table as it was before the run (a relation). ``scoped``: only the rows in
    ``SCOPES`` (or those ``REWRITTEN``) can have changed.
    """
    sql = {"table": table, "keys": ", ".join(_keys(table)), "match": _match(table)}
    ended = "ended_rows"
    if scoped:  # the rows in scope, whole, from each side
        scope = SCOPES.get(table, "true")
        sides = (before, f"main.{table}")
        if table not in SCOPES:  # the rows the write replaced, and those it wrote
            sides = tuple(side.format(table=table) for side in REWRITTEN)
            if not _any_row(con, sides):  # the run rewrote none of it: no version ended or began
                return
        for name, relation in zip(("before_rows", "after_rows"), sides, strict=True):
            sql_files.execute(con, SCOPED_ROWS.format(name=name, relation=relation, scope=scope))
    else:  # every row's key and hash; the ended ones read whole from the table before
        for name, relation in (("before_rows", before), ("after_rows", f"main.{table}")):
            sql_files.execute(con, ROW_HASHES.format(name=name, relation=relation, **sql))
        ended = ENDED_ROWS.format(before=before, **sql)
    for name, side, other in (
        ("ended_rows", "before_rows", "after_rows"),
        ("started_rows", "after_rows", "before_rows"),
    ):
        sql_files.execute(con, ONE_SIDED.format(name=name, side=side, other=other, **sql))
    sql_files.execute(con, ENDED.format(ended=ended, **sql), {"base": base, "version": version})
    sql_files.execute(con, SINCE_ENDED.format(**sql))
    sql_files.execute(con, SINCE_STARTED.format(**sql), {"version": version})


def _any_row(con: duckdb.DuckDBPyConnection, relations: tuple[str, ...]) -> bool:
    """Whether any of ``relations`` has a row."""
    exists = " OR ".join(f"EXISTS (SELECT 1 FROM {r})" for r in relations)
    return bool(sql_files.execute(con, f"SELECT {exists}")[0][0])


def commit_version(
    con: duckdb.DuckDBPyConnection, batch_id: str, kind: str, changed_only: tuple[str, ...] = ()
) -> int:
    """Number the live tables as they now are and record their rows' history.

    ``changed_only``: tables of which only ``changed_<table>`` was rewritten (the other rows'
    history stays open without comparing them).
    """
    sql_files.execute(con, CREATE_VERSIONS)
    sql_files.execute(con, "CREATE SCHEMA IF NOT EXISTS history")
    sql_files.execute(con, CREATE_BASES)
    version = current_version(con) + 1
    sql_files.execute(
        con,
        "INSERT INTO live_versions VALUES ($version, $batch, $kind, current_timestamp)",
        {"version": version, "batch": batch_id, "kind": kind},
    )
    bases = table_bases(con)
    published: set[str] | None = None  # looked up once, when a table is compared
    live, stored = tables(con), tables(con, "history")  # the loop adds only to history
    columns = _columns(con)
    for table in HISTORY_TABLES:
        if table not in live:
            continue
        if table not in bases:
            bases[table] = _start(con, table, version, stored)
            if bases[table] == version:
                continue
        published = _published_tables(con) if published is None else published
        before = f"{PUBLISHED}.main.{table}"
        if table not in published:
            before = f"(SELECT * FROM main.{table} LIMIT 0)"
        scoped = table in changed_only
        _since(con, table, stored)
        _evolve(con, table, columns)
        _record_changes(con, table, bases[table], version, scoped=scoped, before=before)
    return version


def every_table_based(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether every table with a history has begun it (has a base version)."""
    bases = table_bases(con)
    live = tables(con)
    return all(t in bases or t not in live for t in HISTORY_TABLES)


def commit_unchanged(con: duckdb.DuckDBPyConnection, batch_id: str, kind: str) -> int:
    """Number a version that changed no row (a carried-over re-send): nothing to compare.

    Every table must have begun its history (``every_table_based``).
    """
    version = current_version(con) + 1
    sql_files.execute(
        con,
        "INSERT INTO live_versions VALUES ($version, $batch, $kind, current_timestamp)",
        {"version": version, "batch": batch_id, "kind": kind},
    )
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
    bases = table_bases(con)
    return {
        table: AS_OF.format(table=table, version=int(version))
        for table in HISTORY_TABLES
        if table in bases
    }
