"""The change set: what the next state changes in the live tables, record by record.

Per entity: created, updated (one row per field, old and new value), deactivated / reactivated
(classes: archived / unarchived) and, counted only, unchanged. Changes the district's settings do
not allow are kept in the set with ``applied = false`` and a note (and undone in the next state).
Table and column names come from the file specs, never from data; values stay in the tables.
The changes found are rows of ``change_rows``; ``change_set`` (a view) shows them and, for a
table's first load, every record of its next state created (not millions of rows copied).
"""

from __future__ import annotations

import duckdb

from roster_pipeline.resolve import quiet_rows, sql_files
from roster_pipeline.resolve.apply_batch import SAME, same
from roster_pipeline.specs import LOAD_ORDER, SPECS, snake
from roster_pipeline.sync.link_changes import (
    ALL_OLD_LINKS,
    EMPTY_LINKS,
    LINK_CHANGES,
    SYNC_NEXT_LINKS,
    SYNC_OLD_LINKS,
    link_id,
)
from roster_pipeline.sync.settings import SyncSettings
from roster_pipeline.tables import ROSTER_TABLES

LINKS = "guardian_links"
ENTITIES = (*ROSTER_TABLES, LINKS)
CHANGES = ("created", "updated", "deactivated", "reactivated", "archived", "unarchived")
_NOT_COMPARED = ("sourcedId", "status", "dateLastModified")
COMPARED = {
    SPECS[k].table: tuple(snake(c) for c in SPECS[k].columns if c not in _NOT_COMPARED)
    for k in LOAD_ORDER
}
"""Fields whose change is an update (status has its own changes; dateLastModified is noise)."""
CONTACT_FIELDS = ("email", "sms", "phone")
STATUS_WORDS = {"classes": ("archived", "unarchived")}
"""Entity -> (word for going inactive, word for coming back); others deactivate/reactivate."""

CHANGE_ROWS = "change_rows"
"""The temp table the changes found go into; ``change_set`` (a view) is every change."""
CREATE_CHANGE_ROWS = (
    f"CREATE OR REPLACE TEMP TABLE {CHANGE_ROWS} (entity VARCHAR, sourced_id VARCHAR, "
    "change VARCHAR, field VARCHAR, old_value VARCHAR, new_value VARCHAR, applied BOOLEAN, "
    "note VARCHAR)"
)
KEPT_ARCHIVED = "kept archived: 'Unarchive classrooms that reappear' is off"
KEPT_CONTACT = "kept: 'Allow the sync to update contact details of active users' is off"
KEPT_CLOSED = (
    "kept inactive: its class stays archived ('Unarchive classrooms that reappear' is off)"
)
KEPT_ARCHIVED_CLASSES = (
    "CREATE OR REPLACE TEMP TABLE kept_archived AS SELECT sourced_id FROM change_set "
    "WHERE entity = 'classes' AND change = 'unarchived' AND NOT applied"
)

# The enrollments of a class kept archived that the batch lists as active again: skipped.
SKIP_REACTIVATION = (
    "INSERT INTO change_rows SELECT 'enrollments', e.sourced_id, 'reactivated', 'status', "
    "l.status, 'active', false, $note FROM stage_enrollments e "
    "JOIN kept_archived k ON k.sourced_id = e.class_sourced_id "
    "JOIN main.enrollments l ON l.sourced_id = e.sourced_id "
    "WHERE e._ok AND e.status = 'active' AND l.status = 'tobedeleted'"
)

# An archived class the batch lists again stays archived when the setting is off.
SKIP_UNARCHIVE = (
    "INSERT INTO change_rows SELECT 'classes', s.sourced_id, 'unarchived', 'status', "
    "l.status, s.status, false, $note FROM stage_classes s JOIN main.classes l "
    "ON l.sourced_id = s.sourced_id WHERE s._ok AND l.status = 'tobedeleted' "
    "AND s.status = 'active'"
)
KEEP_ARCHIVED = (
    "UPDATE stage_classes AS s SET status = 'tobedeleted', _untouched = false "
    "FROM main.classes AS l "
    "WHERE l.sourced_id = s.sourced_id AND s._ok AND l.status = 'tobedeleted'"
)
# Contact details of active users the batch would change, found in one join: each differing
# field is a skipped update, and the staged row keeps the live values. A row known to be its
# live record (``SAME``) differs in nothing.
CONTACT_DIFFS = (
    "CREATE OR REPLACE TEMP TABLE contact_diffs AS SELECT s.sourced_id, "
    "l.email AS o_email, s.email AS n_email, l.sms AS o_sms, s.sms AS n_sms, "
    "l.phone AS o_phone, s.phone AS n_phone FROM stage_users s JOIN main.users l "
    f"ON l.sourced_id = s.sourced_id WHERE s._ok AND NOT {same('s')} AND l.status = 'active' "
    "AND (s.email IS DISTINCT FROM l.email OR s.sms IS DISTINCT FROM l.sms "
    "OR s.phone IS DISTINCT FROM l.phone)"
)
SKIP_CONTACT = (
    "INSERT INTO change_rows SELECT 'users', sourced_id, 'updated', '{field}', o_{field}, "
    "n_{field}, false, $note FROM contact_diffs WHERE n_{field} IS DISTINCT FROM o_{field}"
)
KEEP_CONTACTS = (
    "UPDATE stage_users AS s SET email = d.o_email, sms = d.o_sms, phone = d.o_phone, "
    "_untouched = false "
    "FROM contact_diffs AS d WHERE d.sourced_id = s.sourced_id AND s._ok"
)

# One narrow row per next record: new or not, both statuses, whether any compared field differs
# (a hash of the fields on each side), whether dateLastModified or extensions differ ("noted":
# alone, such a record is rewritten, though not an update), and its live batch_id. Each side is
# narrowed to hashes before the join, so the join carries no field values.
PAIR = (
    "CREATE OR REPLACE TEMP TABLE change_pair AS SELECT n.sourced_id, n.status AS n_status, "
    "coalesce(o.status, 'active') AS o_status, o.sourced_id IS NULL AS is_new, "
    "o.sourced_id IS NULL OR n.fields <> o.fields AS differs, o.batch_id AS o_batch, "
    "o.sourced_id IS NULL OR n.noted <> o.noted AS noted "
    "FROM (SELECT sourced_id, status, hash({fields}) AS fields, "
    "hash(date_last_modified, extensions) AS noted FROM {next}) n "
    "LEFT JOIN (SELECT sourced_id, status, batch_id, hash({fields}) AS fields, "
    "hash(date_last_modified, extensions) AS noted FROM {old}) o ON o.sourced_id = n.sourced_id"
)
# Before a table's first load every record is new and none is unchanged: no pairs, no join.
# Its changes (every record created) and the records not unchanged (all) are the next state's
# own, shown by views: not copies of millions of ids held through the run's largest writes.
FIRST_CREATED = (
    "SELECT '{entity}', sourced_id, 'created', NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR, "
    "true, NULL::VARCHAR FROM {next}"
)
FIRST_UNCHANGED = (
    "CREATE OR REPLACE TEMP TABLE unchanged_{table} (sourced_id VARCHAR, o_batch VARCHAR)"
)
FIRST_CHANGED = "CREATE OR REPLACE TEMP VIEW changed_{table} AS SELECT sourced_id FROM {next}"
# Old and new values only for the records whose fields differ (few on a daily sync).
FIELD_PAIRS = (
    "CREATE OR REPLACE TEMP TABLE field_pairs AS SELECT n.sourced_id{fields} "
    "FROM {next} n JOIN {old} o ON o.sourced_id = n.sourced_id "
    "WHERE n.sourced_id IN (SELECT sourced_id FROM change_pair WHERE differs AND NOT is_new)"
)
UNCHANGED = (
    "CREATE OR REPLACE TEMP TABLE unchanged_{table} AS SELECT sourced_id, o_batch "
    "FROM change_pair WHERE NOT is_new AND NOT differs AND NOT noted AND n_status = o_status"
)
CHANGED = (
    "CREATE OR REPLACE TEMP TABLE changed_{table} AS SELECT sourced_id FROM change_pair "
    "WHERE is_new OR differs OR noted OR n_status IS DISTINCT FROM o_status"
)
"""The next state's records that are not unchanged (few on a daily sync)."""
CREATED = (
    "INSERT INTO change_rows SELECT $entity, sourced_id, 'created', NULL, NULL, NULL, true, NULL "
    "FROM change_pair WHERE is_new"
)
STATUS_CHANGE = (
    "INSERT INTO change_rows SELECT $entity, sourced_id, "
    "CASE WHEN n_status = 'tobedeleted' THEN $gone ELSE $back END, 'status', o_status, n_status, "
    "true, NULL FROM change_pair WHERE NOT is_new AND o_status IS DISTINCT FROM n_status"
)
FIELD_CHANGE = (
    "SELECT $entity, sourced_id, 'updated', '{field}', "
    "CAST(o_{field} AS VARCHAR), CAST(n_{field} AS VARCHAR), true, NULL FROM field_pairs "
    "WHERE n_{field} IS DISTINCT FROM o_{field}"
)
"""One compared field's updates; every field's go into the change set in one statement."""


def _guard(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a safe SQL identifier: {name!r}")
    return name


def table_exists(con: duckdb.DuckDBPyConnection, table: str, schema: str = "main") -> bool:
    """Whether ``schema.table`` exists in the connection's database (temp tables excluded)."""
    return table in tables(con, schema)


def tables(con: duckdb.DuckDBPyConnection, schema: str = "main") -> set[str]:
    """The tables of ``schema`` in the connection's database (temp tables excluded).

    One look at the catalog (which lists every attached database's tables): a step asking of
    several tables asks once.
    """
    rows = sql_files.execute(
        con,
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = ? AND NOT temporary",
        [schema],
    )
    return {name for (name,) in rows}


def start(con: duckdb.DuckDBPyConnection) -> None:
    """An empty change set: ``change_rows``, and ``change_set`` showing them."""
    sql_files.execute(con, CREATE_CHANGE_ROWS)
    _show(con, [])


def _show(con: duckdb.DuckDBPyConnection, loads: list[tuple[str, str]]) -> None:
    """``change_set``: the changes found, and every record of the first ``loads`` created.

    ``loads``: (table, its next state's SQL) of each table loaded for the first time.
    """
    created = "".join(
        f" UNION ALL {FIRST_CREATED.format(entity=_guard(t), next=n)}" for t, n in loads
    )
    sql_files.execute(
        con, f"CREATE OR REPLACE TEMP VIEW change_set AS SELECT * FROM {CHANGE_ROWS}{created}"
    )


def apply_settings(con: duckdb.DuckDBPyConnection, settings: SyncSettings) -> None:
    """Start the change set with what the settings refuse, and undo it in the staged state."""
    start(con)
    live = tables(con)
    if not settings.unarchive_classes and "classes" in live:
        sql_files.execute(con, SKIP_UNARCHIVE, {"note": KEPT_ARCHIVED})
        sql_files.execute(con, KEEP_ARCHIVED)
    sql_files.execute(con, KEPT_ARCHIVED_CLASSES)
    if not settings.unarchive_classes and "enrollments" in live:
        sql_files.execute(con, SKIP_REACTIVATION, {"note": KEPT_CLOSED})
    sql_files.run(con, "closed_enrollments")  # archived means closed
    if not settings.update_active_contacts and "users" in live:
        sql_files.execute(con, CONTACT_DIFFS)
        for contact in CONTACT_FIELDS:
            sql_files.execute(con, SKIP_CONTACT.format(field=contact), {"note": KEPT_CONTACT})
        sql_files.execute(con, KEEP_CONTACTS)


IS_ACTIVE = "coalesce(status, 'active') = 'active'"
"""Whether a live record counts as active (a blank status is active)."""


def compute(
    con: duckdb.DuckDBPyConnection,
    next_tables: dict[str, str],
    next_links: str = SYNC_NEXT_LINKS,
    old_links: str = SYNC_OLD_LINKS,
    unchanged: dict[str, int] | None = None,
    all_old_links: str | None = None,
) -> dict[str, int]:
    """Add every change from the live tables to ``next_tables`` (entity -> relation SQL).

    ``unchanged``: entity -> how many more next records are known to be their live records
    without comparing them (counted as unchanged). ``next_links`` is the next state of
    ``old_links``, which are all the live links or some of them (``all_old_links``: every live
    link; the others stay as they are). Also fills ``entity_sizes`` (entity, live_active,
    next_rows) for counts and safeguards. Returns how many records of each entity were known
    unchanged (not compared).
    """
    unchanged = unchanged or {}
    not_compared: dict[str, int] = {}
    sql_files.execute(
        con,
        "CREATE OR REPLACE TEMP TABLE entity_sizes (entity VARCHAR, live_active BIGINT, "
        "next_rows BIGINT)",
    )
    existing = tables(con)  # compute makes temp tables only
    loads: list[tuple[str, str]] = []
    for table, next_sql in next_tables.items():
        live = _guard(table) in existing
        params = {"entity": table}
        if not live:  # before a first load nothing is unchanged
            if table in unchanged:
                raise ValueError(f"{table}: records known unchanged, but no live table")
            _first(con, table, next_sql, params)
            loads.append((table, next_sql))
            continue
        old = f"main.{table}"
        compared = [_guard(f) for f in COMPARED.get(table, ())]
        if table in unchanged:
            not_compared[table] = unchanged[table]
        paired = old
        if unchanged.get(table):  # most records are not compared: hash only the others' pairs
            paired = (
                f"(SELECT * FROM {old} o SEMI JOIN {next_sql} x ON x.sourced_id = o.sourced_id)"
            )
        sql_files.execute(
            con,
            PAIR.format(
                fields=", ".join(f'"{f}"' for f in compared) or "NULL",
                next=next_sql,
                old=paired,
            ),
        )
        gone, back = STATUS_WORDS.get(table, ("deactivated", "reactivated"))
        sql_files.execute(con, CREATED, params)
        sql_files.execute(con, STATUS_CHANGE, {**params, "gone": gone, "back": back})
        fields = "".join(f", n.{f} AS n_{f}, o.{f} AS o_{f}" for f in compared)
        sql_files.execute(con, FIELD_PAIRS.format(fields=fields, next=next_sql, old=old))
        if compared:
            updates = " UNION ALL ".join(FIELD_CHANGE.format(field=f) for f in compared)
            sql_files.execute(con, f"INSERT INTO change_rows {updates}", params)
        sql_files.execute(con, UNCHANGED.format(table=table))
        sql_files.execute(con, CHANGED.format(table=table))
        sql_files.execute(
            con,
            f"INSERT INTO entity_sizes SELECT $entity, "
            f"(SELECT count(*) FROM {old} WHERE {IS_ACTIVE}), "
            "(SELECT count(*) FROM change_pair) + $known",
            {**params, "known": not_compared.get(table, 0)},
        )
    if loads:
        _show(con, loads)
    has_links = "student_guardians" in existing
    old_links = old_links if has_links else EMPTY_LINKS
    all_old_links = (all_old_links or old_links) if has_links else EMPTY_LINKS
    either = (f"coalesce(n.{c}, o.{c})" for c in ("student", "guardian", "source"))
    changes = LINK_CHANGES.format(
        next_links=next_links, old_links=old_links, link_id=link_id(*either)
    )
    sql_files.execute(con, changes)
    active = "(SELECT count(*) FROM {} WHERE status = 'active')"
    sql_files.execute(
        con,
        "INSERT INTO entity_sizes SELECT 'guardian_links', "
        f"{active.format(all_old_links)}, {active.format(next_links)} + "
        f"{active.format(all_old_links)} - {active.format(old_links)}",
    )
    return not_compared


def _first(
    con: duckdb.DuckDBPyConnection, table: str, next_sql: str, params: dict[str, str]
) -> None:
    """A table's first load: no record unchanged, every one changed (``_show``: created)."""
    sql_files.execute(con, FIRST_UNCHANGED.format(table=table))
    sql_files.execute(con, FIRST_CHANGED.format(table=table, next=next_sql))
    sql_files.execute(
        con,
        f"INSERT INTO entity_sizes SELECT $entity, 0, (SELECT count(*) FROM {next_sql})",
        params,
    )


def plan(con: duckdb.DuckDBPyConnection, settings: SyncSettings) -> int:
    """The change set of the staged batch (``stage_<table>``, ``guardian_links``).

    Staged rows known to be their live records (``apply_batch.SAME``) and the records the stage
    leaves out (``quiet_rows``) are not compared: returns how many.
    """
    apply_settings(con, settings)
    existing = tables(con)
    live = [t for t in ROSTER_TABLES if t in existing]
    not_compared = compute(
        con,
        {
            t: f"(SELECT * FROM stage_{t} WHERE _ok AND NOT {SAME})"
            if t in live
            else f"(SELECT * FROM stage_{t} WHERE _ok)"
            for t in ROSTER_TABLES
        },
        unchanged={
            t: sql_files.execute(con, f"SELECT count(*) FROM stage_{t} WHERE _ok AND {SAME}")[0][0]
            + quiet_rows.left_out(con, t)
            for t in live
        },
        all_old_links=ALL_OLD_LINKS,
    )
    return sum(not_compared.values())
