"""Integrity counts recorded with each version: asked of the touched rows, they find what the
whole tables have, wherever the version before had no violation."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from roster_pipeline.devtools.generate import write
from roster_pipeline.sync import integrity
from roster_pipeline.sync.run import sync_folder
from roster_pipeline.sync.settings import SyncSettings
from roster_pipeline.tables import ROSTER_TABLES
from roster_pipeline.warehouse import Warehouse
from roster_pipeline_tests.sync.test_daily_sequence import days

FIRST_ACTIVE = "(SELECT {column} FROM {table} WHERE status = 'active' ORDER BY ALL LIMIT 1)"
# rule -> (statements breaking it once, what a run that did so would have rewritten:
# (table, SQL of the ids) -- next_links for guardian links)
BREAKS = {
    "student_guardians_users_exist": (
        [
            "CREATE TEMP TABLE broken AS SELECT * FROM student_guardians ORDER BY ALL LIMIT 1",
            "UPDATE student_guardians SET guardian_sourced_id = 'nobody' WHERE student_sourced_id "
            "= (SELECT student_sourced_id FROM broken) AND guardian_sourced_id = "
            "(SELECT guardian_sourced_id FROM broken)",
        ],
        [("next_links", "SELECT student_sourced_id, 'nobody', source FROM broken")],
    ),
    # the links are as they were: their student was deactivated
    "student_guardians_people_active": (
        [
            "CREATE TEMP TABLE gone AS "
            + FIRST_ACTIVE.format(column="student_sourced_id", table="student_guardians"),
            "UPDATE users SET status = 'tobedeleted' WHERE sourced_id = "
            "(SELECT student_sourced_id FROM gone)",
        ],
        [("users", "SELECT student_sourced_id FROM gone")],
    ),
    # a reference that breaks is on a row the run wrote (no id leaves a table)
    **{
        rule: (
            [
                "CREATE TEMP TABLE bent AS "
                + FIRST_ACTIVE.format(column="sourced_id", table=table),
                f"UPDATE {table} SET {column} = {nowhere} "
                "WHERE sourced_id = (SELECT sourced_id FROM bent)",
            ],
            [(table, "SELECT sourced_id FROM bent")],
        )
        for rule, table, column, nowhere in (
            ("enrollments_users_exist", "enrollments", "user_sourced_id", "'nobody'"),
            ("enrollments_classes_exist", "enrollments", "class_sourced_id", "'no-class'"),
            ("classes_schools_exist", "classes", "school_sourced_id", "'no-school'"),
            ("users_orgs_exist", "users", "org_sourced_ids", "['no-school']"),
        )
    },
    **{
        f"{table}_ids_unique": (
            [f"INSERT INTO {table} SELECT * FROM {table} ORDER BY sourced_id LIMIT 1"],
            [(table, f"SELECT min(sourced_id) FROM {table}")],
        )
        for table in ("orgs", "classes", "users", "enrollments", "courses", "academic_sessions")
    },
}


def test_every_narrowed_rule_has_a_case_that_breaks_it():
    assert set(BREAKS) == {r.name for r in integrity.RULES if r.touched}


@pytest.mark.parametrize("rule", [r for r in integrity.RULES if r.touched], ids=lambda r: r.name)
def test_the_touched_rows_have_what_the_whole_tables_have(clean_load, tmp_path, rule):
    broken = tmp_path / "broken.duckdb"
    shutil.copyfile(clean_load, broken)
    statements, rewritten = BREAKS[rule.name]
    with duckdb.connect(str(broken)) as con:
        for table in ROSTER_TABLES:
            con.execute(f"CREATE TEMP TABLE changed_{table} (sourced_id VARCHAR)")
            con.execute(f"CREATE TEMP TABLE written_{table} AS FROM {table} LIMIT 0")
        con.execute(
            "CREATE TEMP TABLE next_links (student VARCHAR, guardian VARCHAR, source VARCHAR)"
        )
        assert con.execute(rule.whole()).fetchall()[0][0] == 0
        assert con.execute(rule.narrowed()).fetchall()[0][0] == 0
        for statement in statements:
            con.execute(statement)
        for table, ids in rewritten:
            target = "next_links" if table == "next_links" else f"changed_{table}"
            con.execute(f"INSERT INTO {target} {ids}")
            if table != "next_links":  # the rows it wrote, as they now are
                con.execute(
                    f"INSERT INTO written_{table} SELECT DISTINCT ON (sourced_id) * FROM {table} "
                    f"WHERE sourced_id IN ({ids})"
                )
        whole = con.execute(rule.whole()).fetchall()[0][0]
        assert whole >= 1
        assert con.execute(rule.narrowed()).fetchall()[0][0] == whole


def test_each_version_records_the_counts_of_the_whole_tables(tmp_path):
    db = tmp_path / "r.duckdb"
    for n, files in enumerate(days(), start=1):
        write(files, tmp_path / f"day{n}")
        outcome = sync_folder(tmp_path / f"day{n}", Warehouse(db), SyncSettings())
        with duckdb.connect(str(db), read_only=True) as con:
            recorded = integrity.recorded(con, outcome.version)
            assert recorded == integrity.whole_counts(con)
    assert set(recorded.values()) == {0}


def test_counts_are_asked_of_the_whole_tables_after_a_version_that_recorded_none(tmp_path):
    """A violation no sync made (a version without counts) is found by the next sync."""
    db = tmp_path / "r.duckdb"
    folders = []
    for n, files in enumerate(days(), start=1):
        folders.append(tmp_path / f"day{n}")
        write(files, folders[-1])
    first = sync_folder(folders[0], Warehouse(db), SyncSettings())
    with duckdb.connect(str(db)) as con:
        con.execute("INSERT INTO enrollments SELECT * FROM enrollments LIMIT 1")
        con.execute("DELETE FROM integrity_counts WHERE version = ?", [first.version])
    second = sync_folder(folders[1], Warehouse(db), SyncSettings())
    with duckdb.connect(str(db), read_only=True) as con:
        assert integrity.recorded(con, second.version)["enrollments_ids_unique"] == 1


def test_a_run_that_did_not_write_a_record_again_asks_the_whole_tables(clean_load):
    with duckdb.connect(str(clean_load), read_only=True) as con:
        for table in ROSTER_TABLES:
            first = f"SELECT rowid AS _rid, * FROM {table} LIMIT 1"
            con.execute(f"CREATE TEMP TABLE replaced_{table} AS {first}")
            con.execute(f"CREATE TEMP TABLE written_{table} AS SELECT * FROM {table} LIMIT 1")
        assert integrity._ids_kept(con)
        con.execute("DELETE FROM written_users")  # a user rewritten and not written again
        assert not integrity._ids_kept(con)
