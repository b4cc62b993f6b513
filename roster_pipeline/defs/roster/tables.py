"""The published roster tables as assets: written only by an applied sync, never on their own.

Each is a spec downstream of ``sync_plan``: an apply (by hand, by the schedule, after the
sensor's preview) records a materialization of every table it changed, with its row count,
the batch, the change counts, its column schema and a masked preview; the integrity checks
run right after (and can be run on their own from a table's page).
"""

import dagster as dg

from roster_pipeline.tables import LINKS_TABLE, ROSTER_TABLES

GROUP_ROSTER = "roster"
TABLE_ASSETS = (*ROSTER_TABLES, LINKS_TABLE)
"""Tables an apply changes (each a row of the change set's entities)."""
HISTORY_ASSETS = ("findings", "batches")
"""Tables every sync run adds to (a preview too)."""

TABLE_FILES = {
    "orgs": "orgs",
    "academic_sessions": "academicSessions",
    "courses": "courses",
    "classes": "classes",
    "users": "users",
    "user_roles": "roles",
    "enrollments": "enrollments",
    "demographics": "demographics",
}
"""Table -> the roster file it is made from (its findings)."""
TABLE_DESCRIPTIONS = {
    "orgs": "Schools, districts and other organisations (orgs.csv).",
    "academic_sessions": "School years, terms and grading periods (academicSessions.csv).",
    "courses": "Courses (courses.csv).",
    "classes": "Classes, each at a resolved school (classes.csv).",
    "users": "Students, staff and guardians with normalized contacts (users.csv).",
    "user_roles": "OneRoster 1.2 roles: a user's role at each org (roles.csv).",
    "enrollments": "Users enrolled in classes; every reference resolved (enrollments.csv).",
    "demographics": "Demographics of users (demographics.csv, optional).",
    "student_guardians": "Typed links: student, guardian, relationship, source, status.",
    "findings": "Every problem found in every batch: file, line, column, code, severity, message.",
    "batches": "Every batch synced: its files, hashes, row accounting and status.",
}

TABLE_SPECS = [
    dg.AssetSpec(
        name,
        group_name=GROUP_ROSTER,
        kinds={"duckdb"},
        deps=["sync_plan"],
        description=TABLE_DESCRIPTIONS[name]
        + " Written by roster_sync's apply; see docs/analysts.md for every column.",
        metadata={"dagster/table_name": f"main.{name}"},
    )
    for name in (*TABLE_ASSETS, *HISTORY_ASSETS)
]
