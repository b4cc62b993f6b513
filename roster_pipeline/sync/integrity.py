"""Integrity rules of the live tables, and their counts recorded with every applied version.

Each rule counts the rows that break it (zero on a sound roster). An apply records the counts
of the version it makes in ``integrity_counts``, in its own transaction. Where the version
before had none and the run rewrote only the records of ``changed_<table>``, each written
again (``live_write.WRITTEN``), and the guardian links of ``next_links``, a rule that says so
is asked only of the rows the run could have made break it (``Rule.touched``): every other row
is as it was, with what it refers to as it was. Anywhere else, and for the rules whose tables
are as cheap to read whole, the rule is asked of the whole tables. Only the pipeline writes the
file (one writer), so a version's counts are what its tables hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from roster_pipeline.resolve import live_write, sql_files
from roster_pipeline.sync.changes import table_exists
from roster_pipeline.tables import ROSTER_TABLES

CREATE_COUNTS = (
    "CREATE TABLE IF NOT EXISTS integrity_counts (version BIGINT, check_name VARCHAR, "
    "violations BIGINT)"
)


_TABLES = ("orgs", "academic_sessions", "courses", "classes", "users", "enrollments")
_LINKS = "student_guardians"


@dataclass(frozen=True)
class Rule:
    """A rule of ``asset``'s rows; ``sql`` counts its violations in ``{<table>}`` relations."""

    asset: str
    name: str
    description: str
    sql: str
    touched: dict[str, str] = field(default_factory=dict)
    """Table -> the rows of it a run could have made break the rule (a relation); none: the
    rule is asked of the whole tables (where reading them is as cheap as finding those rows)."""

    def whole(self) -> str:
        """The count over the whole tables."""
        return self.sql.format(**{t: t for t in (*_TABLES, _LINKS)})

    def narrowed(self) -> str:
        """The count over the rows a run could have made break the rule."""
        return self.sql.format(**{t: self.touched.get(t, t) for t in (*_TABLES, _LINKS)})


def _rewritten(table: str) -> str:
    """The live rows of the records the run rewrote (all of them, should an id repeat)."""
    return f"(SELECT * FROM {table} WHERE sourced_id IN (SELECT sourced_id FROM changed_{table}))"


def _written(table: str) -> str:
    """The rows the run wrote (a reference breaks only there: no id leaves a table)."""
    return live_write.WRITTEN.format(table=table)


# A link a run could have made break a rule: one it rewrote (next_links), or one of a user it
# rewrote (a user's status can change; an id never leaves).
_LINKS_TOUCHED = (
    f"(SELECT * FROM {_LINKS} WHERE "
    "student_sourced_id IN (SELECT sourced_id FROM changed_users) "
    "OR guardian_sourced_id IN (SELECT sourced_id FROM changed_users) "
    "OR EXISTS (SELECT 1 FROM next_links n WHERE n.student = student_sourced_id "
    "AND n.guardian = guardian_sourced_id AND n.source = source))"
)

RULES: tuple[Rule, ...] = (
    Rule(
        "enrollments",
        "enrollments_users_exist",
        "Every enrollment's user is in users.",
        "SELECT count(*) FROM {enrollments} e "
        "ANTI JOIN users u ON u.sourced_id = e.user_sourced_id",
        {"enrollments": _written("enrollments")},
    ),
    Rule(
        "enrollments",
        "enrollments_classes_exist",
        "Every enrollment's class is in classes.",
        "SELECT count(*) FROM {enrollments} e "
        "ANTI JOIN classes c ON c.sourced_id = e.class_sourced_id",
        {"enrollments": _written("enrollments")},
    ),
    Rule(
        "classes",
        "classes_schools_exist",
        "Every class's school is in orgs.",
        "SELECT count(*) FROM {classes} c ANTI JOIN orgs o ON o.sourced_id = c.school_sourced_id",
        {"classes": _written("classes")},
    ),
    Rule(
        "users",
        "users_orgs_exist",
        "Every organisation a user belongs to is in orgs.",
        "SELECT count(*) FROM (SELECT unnest(org_sourced_ids) AS org FROM {users}) x "
        "ANTI JOIN orgs o ON o.sourced_id = x.org",
        {"users": _written("users")},
    ),
    Rule(
        "student_guardians",
        "student_guardians_users_exist",
        "Both ends of every guardian link are users.",
        "SELECT count(*) FROM {student_guardians} g WHERE NOT EXISTS "
        "(SELECT 1 FROM users s WHERE s.sourced_id = g.student_sourced_id) OR NOT EXISTS "
        "(SELECT 1 FROM users p WHERE p.sourced_id = g.guardian_sourced_id)",
        {_LINKS: _LINKS_TOUCHED},
    ),
    Rule(
        "student_guardians",
        "student_guardians_at_most_six",
        "No student has more than 6 active guardian links.",
        "SELECT count(*) FROM (SELECT student_sourced_id FROM {student_guardians} "
        "WHERE status = 'active' GROUP BY 1 HAVING count(*) > 6)",
    ),
    Rule(
        "enrollments",
        "enrollments_in_active_classes",
        "No active enrollment belongs to an archived class or a deactivated user.",
        "SELECT (SELECT count(*) FROM {enrollments} e SEMI JOIN classes c "
        "ON c.sourced_id = e.class_sourced_id AND c.status = 'tobedeleted' "
        "WHERE e.status = 'active') + (SELECT count(*) FROM {enrollments} e SEMI JOIN users u "
        "ON u.sourced_id = e.user_sourced_id AND u.status = 'tobedeleted' "
        "WHERE e.status = 'active')",
    ),
    Rule(
        "student_guardians",
        "student_guardians_people_active",
        "No active guardian link points at a deactivated student or guardian.",
        "SELECT (SELECT count(*) FROM {student_guardians} g SEMI JOIN users u "
        "ON u.sourced_id = g.student_sourced_id AND u.status = 'tobedeleted' "
        "WHERE g.status = 'active') + (SELECT count(*) FROM {student_guardians} g "
        "SEMI JOIN users u ON u.sourced_id = g.guardian_sourced_id AND u.status = 'tobedeleted' "
        "WHERE g.status = 'active')",
        {_LINKS: _LINKS_TOUCHED},
    ),
    *(
        Rule(
            table,
            f"{table}_ids_unique",
            f"sourced_id is unique (and present) in {table}; violations: rows beyond one per id.",
            f"SELECT count(*) - count(DISTINCT sourced_id) FROM {{{table}}}",
            {table: _rewritten(table)},  # only an id the run wrote can have a second row
        )
        for table in ("orgs", "classes", "users", "enrollments", "courses", "academic_sessions")
    ),
)


def whole_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Every rule's violations in the whole tables (an apply makes every one of them)."""
    return {rule.name: int(sql_files.execute(con, rule.whole())[0][0]) for rule in RULES}


def record(
    con: duckdb.DuckDBPyConnection, version: int, rewritten_changed_only: tuple[str, ...]
) -> dict[str, int]:
    """Count every rule's violations in the live tables as version ``version`` and record them.

    ``rewritten_changed_only``: the tables of which the run rewrote only ``changed_<table>``.
    """
    sql_files.execute(con, CREATE_COUNTS)
    before = dict(
        sql_files.execute(
            con,
            "SELECT check_name, violations FROM integrity_counts WHERE version = ?",
            [version - 1],
        )
    )
    narrow = set(ROSTER_TABLES) <= set(rewritten_changed_only) and _ids_kept(con)
    counts = {}
    for rule in RULES:
        asked = rule.narrowed() if narrow and rule.touched and before.get(rule.name) == 0 else None
        counts[rule.name] = int(sql_files.execute(con, asked or rule.whole())[0][0])
    _insert(con, version, counts)
    return counts


def _ids_kept(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether every record the run rewrote was written again (no id left a table)."""
    lost = " + ".join(
        f"(SELECT count(*) FROM {live_write.REPLACED.format(table=t)} r "
        f"ANTI JOIN {live_write.WRITTEN.format(table=t)} w ON w.sourced_id = r.sourced_id)"
        for t in ROSTER_TABLES
    )
    return not sql_files.execute(con, f"SELECT {lost}")[0][0]


def _insert(con: duckdb.DuckDBPyConnection, version: int, counts: dict[str, int]) -> None:
    """The version's counts, in one statement."""
    if not counts:
        return
    rows = ", ".join(["(?, ?, ?)"] * len(counts))
    params = [value for name, n in counts.items() for value in (version, name, n)]
    sql_files.execute(con, f"INSERT INTO integrity_counts VALUES {rows}", params)


def carry(con: duckdb.DuckDBPyConnection, version: int) -> None:
    """Record for ``version``, which changed no row, the counts of the version before it."""
    if table_exists(con, "integrity_counts"):
        sql_files.execute(
            con,
            "INSERT INTO integrity_counts SELECT $version, check_name, violations "
            "FROM integrity_counts WHERE version = $version - 1",
            {"version": version},
        )


def recorded(con: duckdb.DuckDBPyConnection, version: int) -> dict[str, int] | None:
    """The counts recorded with ``version`` (None: none were, e.g. an upload made it)."""
    if not table_exists(con, "integrity_counts"):
        return None
    rows = sql_files.execute(
        con, "SELECT check_name, violations FROM integrity_counts WHERE version = ?", [version]
    )
    counts = dict(rows)
    return counts if set(counts) >= {r.name for r in RULES} else None
