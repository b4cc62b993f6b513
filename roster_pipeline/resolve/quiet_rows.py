"""Records a batch leaves as they are: recognised rows kept out of the stage, and the rest.

A row the row memo recognises and knows to be its live record (``_memo_live``: the live state is
the one that applied it as read) is *quiet*: its next record is its live record, value for
value. Quiet rows (the view ``quiet_<table>``: ``sourced_id``, ``_file``, ``_line``) are not
staged, resolved, compared or written, so a day's work follows what changed, not the district.
Nor are the deactivated records no file lists any more: whatever a batch says, they stay
deactivated. The live records the stage leaves out are these two kinds (``measure``); the memo
names the others a batch could leave out and change (``memo_views.memo_gone``).

Besides its own values, a record's outcome depends on the records it refers to. A quiet row's
are live records (its references resolved when it was applied), and a live record is always in
the next state, so each of its references resolves again. What the rules read of them can
change, though: a class's school or status, a user's role or status, an organisation's type.
The records referring to one whose such value the batch changes come back into the stage
(``pull_dependents``) and go through every rule as they would in a full read.

The rules look up the records a row refers to in ``next_<table>`` (``create_next_views``): the
stage's applied rows and the live records it leaves out. A guardian link depends on both people
and on every list naming either; ``scope_links`` says whose links are worked out again
(``link_students``) and which live links that covers (``link_live``).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from roster_pipeline.resolve import memo_views, sql_files
from roster_pipeline.specs import LOAD_ORDER, SPECS

TABLES = tuple(SPECS[k].table for k in LOAD_ORDER)
LINK_STUDENTS = "link_students"
"""The users (``id``) whose guardian links are worked out again (every one, in a full read)."""
LINK_LIVE = "link_live"
"""The live links those are (every live link, in a full read)."""
LEFT_OUT = "l ANTI JOIN stage_{table} s ON s.sourced_id = l.sourced_id"
"""SQL after ``FROM main.<table>``: the live records the stage leaves out."""
STAGED = "NOT r._memo_live"
"""Of a file's recognised rows (``r``), those staged when the others are left quiet."""


def quiet(table: str) -> str:
    """The temp view of ``table``'s quiet rows: ``sourced_id``, ``_file``, ``h1``, ``h2``.

    Their lines are in ``memo_views.sent`` (joined where the few are asked).
    """
    return f"quiet_{table}"


def next_rows(table: str) -> str:
    """The temp view of ``table``'s next state as the rules read it (applied rows)."""
    return f"next_{table}"


def reset(con: duckdb.DuckDBPyConnection) -> None:
    """No row is quiet (yet): an empty ``quiet_<table>`` for every table."""
    for table in TABLES:
        sql_files.execute(
            con,
            f"CREATE OR REPLACE TEMP VIEW {quiet(table)} AS "  # table from SPECS, not user data
            "SELECT NULL::VARCHAR AS sourced_id, NULL::VARCHAR AS _file, NULL::BIGINT AS _line "
            "LIMIT 0",
        )
    sql_files.execute(
        con,
        "CREATE OR REPLACE TEMP TABLE left_sizes "
        "(table_name VARCHAR, quiet BIGINT, left_out BIGINT)",
    )
    sql_files.execute(
        con, "CREATE OR REPLACE TEMP TABLE quiet_tables (table_name VARCHAR, recognised VARCHAR)"
    )


def _with_quiet(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(table, its recognised rows) where ``keep_out`` left rows quiet, in load order.

    Only those tables leave any record out.
    """
    named = dict(sql_files.execute(con, "SELECT table_name, recognised FROM quiet_tables"))
    return [(t, named[t]) for t in TABLES if t in named]


def any_quiet(con: duckdb.DuckDBPyConnection, recognised: str) -> bool:
    """Whether some of ``recognised``'s rows are known to be their live records."""
    query = f"SELECT count(*) FROM {recognised} WHERE _memo_live"
    return bool(sql_files.execute(con, query)[0][0])


def keep_out(con: duckdb.DuckDBPyConnection, table: str, recognised: str) -> None:
    """``quiet_<table>``: ``recognised``'s rows known to be their live records, not staged.

    None of their ids is staged but theirs, brought back (``pull_dependents``: with
    ``_memo_live``): the batch's other rows have other ids (``row_memo.RowMemo.verify``).
    """
    sql_files.execute(
        con,
        f"CREATE OR REPLACE TEMP VIEW {quiet(table)} AS SELECT sourced_id, _file, h1, h2 "
        f"FROM {recognised} r WHERE _memo_live AND sourced_id NOT IN "
        f"(SELECT sourced_id FROM stage_{table} WHERE _memo_live)",
    )
    sql_files.execute(con, "INSERT INTO quiet_tables VALUES (?, ?)", [table, recognised])


def measure(con: duckdb.DuckDBPyConnection) -> None:
    """Count, per table with quiet rows, those and every live record the stage leaves out."""
    for table, recognised in _with_quiet(con):
        sql_files.execute(
            con,
            "INSERT INTO left_sizes SELECT $table, "
            f"(SELECT count(*) FROM {recognised} WHERE _memo_live) "
            f"- (SELECT count(*) FROM stage_{table} WHERE _memo_live), "
            f"(SELECT count(*) FROM main.{table}) - (SELECT count(*) FROM main.{table} l "
            f"SEMI JOIN stage_{table} s ON s.sourced_id = l.sourced_id)",
            {"table": table},
        )


def _size(con: duckdb.DuckDBPyConnection, table: str, column: str) -> int:
    query = f"SELECT {column} FROM left_sizes WHERE table_name = ?"  # column: fixed below
    rows = sql_files.execute(con, query, [table])
    return int(rows[0][0]) if rows else 0


def count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """How many of ``table``'s rows are quiet (applied as they are)."""
    return _size(con, table, "quiet")


def left_out(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """How many live records of ``table`` the stage leaves as they are (quiet or deactivated)."""
    return _size(con, table, "left_out")


@dataclass(frozen=True)
class Pull:
    """Records of ``table`` whose ``column`` names a ``target`` record with ``values`` changed."""

    table: str
    column: str
    target: str
    values: tuple[str, ...]


PULLS = (
    Pull("classes", "school_sourced_id", "orgs", ("type",)),  # a school that is no school
    Pull("enrollments", "class_sourced_id", "classes", ("school_sourced_id", "status")),
    Pull("enrollments", "user_sourced_id", "users", ("role", "status")),
)
"""What the rules read of a referenced record: a class of its school (its type), an enrollment
of its class (school, archived) and of its user (role, deactivated)."""

# The staged rows of a target whose values the rules read differ from its live record's (as
# read; a rule can only bring them back to the live values, so this is never too few).
_CHANGED = (
    "SELECT s.sourced_id FROM stage_{target} s JOIN main.{target} t "
    "ON t.sourced_id = s.sourced_id WHERE {differs}"
)
# The records left out that refer to a changed one (few), with their lines where they are quiet
# rows (each join built on the few).
_PULLED = (
    "CREATE OR REPLACE TEMP TABLE pulled AS "
    "WITH p AS (SELECT l.sourced_id FROM main.{table} {left_out} "
    "SEMI JOIN ({changed}) c ON c.sourced_id = l.{column}) "
    "SELECT p.sourced_id, q._file, q._line FROM p LEFT JOIN "
    "(SELECT r.sourced_id, r._file, s._line FROM {recognised} r "
    "SEMI JOIN p ON p.sourced_id = r.sourced_id JOIN {sent} s USING (h1, h2) "
    "WHERE r._memo_live) q ON q.sourced_id = p.sourced_id"
)
# A quiet row comes back as the recognised row it is; a deactivated record as a live one.
_BRING_BACK = (
    "INSERT INTO stage_{table} BY NAME SELECT l.* EXCLUDE (tenant_id, application_id, batch_id), "
    "CASE WHEN p._line IS NULL THEN l.batch_id END AS batch_id, "  # null: the run's batch
    "coalesce(p._file, 'live') AS _file, p._line, true AS _ok, true AS _valid, "
    "false AS _fallback, CASE WHEN p._line IS NOT NULL THEN true END AS _untouched, "
    "CASE WHEN p._line IS NOT NULL THEN true END AS _memo_live "
    "FROM main.{table} l JOIN pulled p USING (sourced_id)"
)


def pull_dependents(con: duckdb.DuckDBPyConnection) -> int:
    """Bring back into the stage the records left out that refer to one the batch changes.

    Returns how many came back (``measure`` counts what is left after).
    """
    total, left = 0, dict(_with_quiet(con))
    for pull in (p for p in PULLS if p.table in left):
        differs = " OR ".join(f"s.{v} IS DISTINCT FROM t.{v}" for v in pull.values)
        pulled = _PULLED.format(
            table=pull.table,
            left_out=LEFT_OUT.format(table=pull.table),
            changed=_CHANGED.format(target=pull.target, differs=differs),
            column=pull.column,
            recognised=left[pull.table],
            sent=memo_views.sent(pull.table),
        )
        sql_files.execute(con, pulled)
        back = sql_files.execute(con, _BRING_BACK.format(table=pull.table))
        if back[0][0]:
            sql_files.execute(con, f"UPDATE stage_{pull.table} SET _row = rowid WHERE _row IS NULL")
        total += back[0][0]
    return total


def create_next_views(con: duckdb.DuckDBPyConnection) -> None:
    """``next_<table>``: the stage's applied rows and the live records it leaves out."""
    for table in TABLES:
        live = ""
        if left_out(con, table):
            live = (
                "UNION ALL BY NAME SELECT * EXCLUDE (tenant_id, application_id), true AS _ok "
                f"FROM main.{table} {LEFT_OUT.format(table=table)}"
            )
        sql_files.execute(
            con,
            f"CREATE OR REPLACE TEMP VIEW {next_rows(table)} AS "
            f"SELECT * FROM stage_{table} WHERE _ok {live}",
        )


# Whose links may change: every user in the stage, the users their lists name, the users left
# out whose lists name one of them, and the students of their live links (a link a list no
# longer makes ends). Anyone else's links have the same people, lists and live links as before.
_LINK_STUDENTS = f"""
CREATE OR REPLACE TEMP TABLE {LINK_STUDENTS} AS
WITH inplay AS (SELECT DISTINCT sourced_id AS id FROM stage_users WHERE sourced_id IS NOT NULL),
quiet_pairs AS (
    SELECT l.sourced_id AS owner, unnest(l.agent_sourced_ids) AS agent
    FROM main.users l ANTI JOIN inplay i ON i.id = l.sourced_id
)
SELECT id FROM inplay
UNION SELECT unnest(agent_sourced_ids) FROM stage_users
UNION SELECT owner FROM quiet_pairs p SEMI JOIN inplay i ON i.id = p.agent
UNION SELECT student_sourced_id FROM main.student_guardians g
      SEMI JOIN inplay i ON i.id = g.guardian_sourced_id
"""
_STAGE_PAIRS = (
    "SELECT _file, _line, sourced_id AS owner, unnest(agent_sourced_ids) AS agent "
    "FROM stage_users WHERE _ok"
)
# The edges of the users left out that touch a user whose links are worked out again (few),
# with the lines of the quiet rows among them.
_QUIET_PAIRS = f"""
INSERT INTO link_pairs
WITH p AS MATERIALIZED (
    SELECT * FROM (SELECT l.sourced_id AS owner, unnest(l.agent_sourced_ids) AS agent
                   FROM main.users l ANTI JOIN stage_users s ON s.sourced_id = l.sourced_id)
    WHERE owner IN (SELECT id FROM {LINK_STUDENTS}) OR agent IN (SELECT id FROM {LINK_STUDENTS})
)
SELECT coalesce(q._file, 'live'), q._line, p.owner, p.agent FROM p
LEFT JOIN (SELECT q.sourced_id, q._file, s._line FROM quiet_users q
           SEMI JOIN p ON p.owner = q.sourced_id JOIN {memo_views.sent("users")} s USING (h1, h2)) q
    ON q.sourced_id = p.owner
"""
_IN_SCOPE = f"IN (SELECT id FROM {LINK_STUDENTS})"
# A roster link is the student's (worked out again with all its candidates); another source's
# link depends on both people being active.
_SCOPED_LIVE_LINKS = (
    f"SELECT * FROM main.student_guardians WHERE student_sourced_id {_IN_SCOPE} "
    f"OR (source <> 'roster' AND guardian_sourced_id {_IN_SCOPE})"
)


def scope_links(con: duckdb.DuckDBPyConnection, *, whole: bool = False) -> bool:
    """``link_students``, ``link_pairs`` (the agentSourcedIds edges to read) and ``link_live``.

    ``whole``: every live link is worked out again (the roster's links all end when the sync
    does not manage guardians). Returns whether the scope is part of the district.
    """
    scoped = not whole and bool(left_out(con, "users"))
    if scoped:
        sql_files.execute(con, _LINK_STUDENTS)
    else:
        sql_files.execute(
            con,
            f"CREATE OR REPLACE TEMP VIEW {LINK_STUDENTS} AS "
            "SELECT sourced_id AS id FROM stage_users WHERE _ok",
        )
    sql_files.execute(con, f"CREATE OR REPLACE TEMP TABLE link_pairs AS {_STAGE_PAIRS}")
    if scoped:
        sql_files.execute(con, _QUIET_PAIRS)
    live = _SCOPED_LIVE_LINKS if scoped else "SELECT * FROM main.student_guardians"
    sql_files.execute(con, f"CREATE OR REPLACE TEMP VIEW {LINK_LIVE} AS {live}")
    sql_files.execute(con, f"CREATE OR REPLACE TEMP TABLE link_scope AS SELECT {scoped} AS part")
    return scoped


def links_scoped(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the last ``scope_links`` worked out only some of the live links."""
    return bool(sql_files.execute(con, "SELECT part FROM link_scope")[0][0])


LINK_SCOPE = f"(x.student_sourced_id {_IN_SCOPE} OR x.guardian_sourced_id {_IN_SCOPE})"
"""SQL: the link ``x`` is one a scoped sync may have changed (for the history's comparison)."""
