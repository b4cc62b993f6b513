"""The integrity checks' SQL: zero on a clean load, and each one counts what breaks its rule."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from roster_pipeline.defs.roster.checks import INTEGRITY_CHECKS

# check -> statements that break its rule once (run on a copy of a clean load)
BREAKS = {
    "enrollments_users_exist": [
        "UPDATE enrollments SET user_sourced_id = 'nobody' WHERE rowid = 0",
    ],
    "enrollments_classes_exist": [
        "UPDATE enrollments SET class_sourced_id = 'no-class' WHERE rowid = 0",
    ],
    "classes_schools_exist": ["UPDATE classes SET school_sourced_id = 'no-org' WHERE rowid = 0"],
    "users_orgs_exist": [
        "UPDATE users SET org_sourced_ids = list_append(org_sourced_ids, 'no-org') WHERE rowid = 0"
    ],
    "student_guardians_users_exist": [
        "UPDATE student_guardians SET guardian_sourced_id = 'nobody' WHERE rowid = 0",
    ],
    "enrollments_in_active_classes": [
        "UPDATE classes SET status = 'tobedeleted' WHERE sourced_id = "
        "(SELECT class_sourced_id FROM enrollments WHERE status = 'active' LIMIT 1)",
    ],
    "student_guardians_people_active": [
        "UPDATE users SET status = 'tobedeleted' WHERE sourced_id = "
        "(SELECT student_sourced_id FROM student_guardians WHERE status = 'active' LIMIT 1)",
    ],
    "student_guardians_at_most_six": [
        "INSERT INTO student_guardians SELECT g.* REPLACE ('extra-' || r.range AS "
        "guardian_sourced_id) FROM (SELECT * FROM student_guardians LIMIT 1) g, range(6) r",
    ],
    **{
        f"{table}_ids_unique": [f"INSERT INTO {table} SELECT * FROM {table} LIMIT 1"]
        for table in ("orgs", "classes", "users", "enrollments", "courses", "academic_sessions")
    },
}


def violations(db, sql: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()[0][0]


def test_every_check_has_a_case_that_breaks_it():
    assert set(BREAKS) == {name for _, name, _, _ in INTEGRITY_CHECKS}


@pytest.mark.parametrize("name, sql", [(name, sql) for _, name, _, sql in INTEGRITY_CHECKS])
def test_a_check_counts_what_breaks_its_rule(clean_load, tmp_path, name, sql):
    assert violations(clean_load, sql) == 0
    broken = tmp_path / "broken.duckdb"
    shutil.copyfile(clean_load, broken)
    with duckdb.connect(str(broken)) as con:
        for statement in BREAKS[name]:
            con.execute(statement)
    assert violations(broken, sql) >= 1
