from pathlib import Path

import duckdb
import polars as pl
import pytest

from roster_pipeline.warehouse import Warehouse
from roster_pipeline_tests.conftest import (
    CLASSES,
    ENROLLMENTS,
    ORGS,
    USERS,
    load_batch,
    write_batch,
)


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def codes(result) -> list[tuple]:
    return sorted(result.findings.select("file", "line", "code").rows(), key=str)


def test_clean_district_loads_linked_tables(simple_batch, tmp_path):
    db = tmp_path / "roster.duckdb"
    result = load_batch(simple_batch, db, tenant_id="t1")
    assert result.table_rows["users"] == 5 and result.table_rows["enrollments"] == 3
    assert query(db, "SELECT sourced_id, role FROM users ORDER BY 1")[:2] == [
        ("0001", "student"),
        ("0002", "student"),
    ]
    links = query(
        db,
        "SELECT * EXCLUDE (batch_id, application_id, linked_at, ended_at) FROM student_guardians "
        "ORDER BY 2, 3",
    )
    assert links == [
        ("t1", "0001", "g1", "parent", "roster", "active"),
        ("t1", "0002", "g1", "parent", "roster", "active"),
        ("t1", "0002", "g2", "guardian", "roster", "active"),
    ]
    # enrollments without a sourcedId get one from their natural key; school kept as string
    assert query(db, "SELECT sourced_id, school_sourced_id FROM enrollments ORDER BY 1")[0] == (
        "c1|0001|student",
        "00417",
    )
    assert query(db, "SELECT sms, email, language FROM users WHERE sourced_id = 'g1'") == [
        ("+14155552671", "carla@example.org", "es")
    ]
    assert query(db, "SELECT tenant_id, count(*) FROM users GROUP BY 1") == [("t1", 5)]


def test_stripped_leading_zeros_get_their_own_code(tmp_path):
    enrollments = "classSourcedId,userSourcedId,role\nc1,1,student\n"
    folder = write_batch(
        tmp_path / "b",
        {
            "orgs.csv": ORGS,
            "users.csv": USERS,
            "classes.csv": CLASSES,
            "enrollments.csv": enrollments,
        },
    )
    result = load_batch(folder, tmp_path / "r.duckdb")
    finding = result.findings.filter(pl.col("code") == "ENR_USER_LEADING_ZEROS").row(0, named=True)
    assert finding["line"] == 2 and "'0001'" in finding["message"]
    assert "stripped the leading zeros" in finding["message"]


def test_an_enrollment_takes_its_class_school_and_a_different_one_is_reported(tmp_path):
    orgs = ORGS + "00999,South High,school\n"
    enrollments = (
        "sourcedId,classSourcedId,schoolSourcedId,userSourcedId,role\n"
        "e1,c1,,0001,student\ne2,c1,00999,0002,student\ne3,c1,00417,t1,teacher\n"
    )
    folder = write_batch(
        tmp_path / "b",
        {
            "orgs.csv": orgs,
            "users.csv": USERS,
            "classes.csv": CLASSES,
            "enrollments.csv": enrollments,
        },
    )
    db = tmp_path / "r.duckdb"
    result = load_batch(folder, db)
    assert query(db, "SELECT sourced_id, school_sourced_id FROM enrollments ORDER BY 1") == [
        ("e1", "00417"),
        ("e2", "00417"),
        ("e3", "00417"),
    ]
    mismatch = result.findings.filter(pl.col("code") == "ENR_SCHOOL_MISMATCH")
    assert mismatch.select("line", "sourced_id", "severity").rows() == [(3, "e2", "warning")]
    assert "'00999' differs from the school of class 'c1' ('00417')" in mismatch["message"][0]


def test_rejected_parent_cascades_and_every_row_is_accounted_for(tmp_path):
    users = USERS + "0001,00417,student,Dup,Licate,,,,,09,\n"  # duplicate id: both copies rejected
    folder = write_batch(
        tmp_path / "b",
        {
            "orgs.csv": ORGS,
            "users.csv": users,
            "classes.csv": CLASSES,
            "enrollments.csv": ENROLLMENTS,
        },
    )
    result = load_batch(folder, tmp_path / "r.duckdb")
    assert ("enrollments.csv", 2, "ENR_USER_REJECTED") in codes(result)
    files = {r["file"]: r for r in result.files.to_dicts()}
    for name, row in files.items():
        assert row["rows_read"] == row["rows_applied"] + row["rows_rejected"], name
        errors = result.findings.filter(
            (pl.col("file") == name)
            & (pl.col("severity") == "error")
            & pl.col("line").is_not_null()
        )
        assert errors["line"].n_unique() == row["rows_rejected"], name
    assert files["users.csv"]["rows_rejected"] == 2


def test_absent_or_broken_file_keeps_the_live_rows(simple_batch, tmp_path):
    db = tmp_path / "r.duckdb"
    load_batch(simple_batch, db)
    broken = write_batch(
        tmp_path / "day2",
        {"orgs.csv": ORGS, "users.csv": "sourcedId,givenName\n0001,Ana\n", "classes.csv": CLASSES},
    )
    result = load_batch(broken, db)
    assert "FILE_COLUMN_MISSING" in result.findings["code"].to_list()
    assert query(db, "SELECT count(*) FROM users") == [(5,)]  # broken users.csv wiped nothing
    assert query(db, "SELECT count(*) FROM enrollments") == [(3,)]  # absent file: kept
    assert query(db, "SELECT count(DISTINCT batch_id) FROM batches") == [(2,)]


def test_failed_run_leaves_published_tables_unchanged(simple_batch, tmp_path):
    db = tmp_path / "r.duckdb"
    load_batch(simple_batch, db)
    before = db.read_bytes()
    with pytest.raises(RuntimeError), Warehouse(db).writer() as con:
        con.execute("DELETE FROM users").fetchall()
        raise RuntimeError("crash mid-apply")
    assert db.read_bytes() == before
    assert query(db, "SELECT count(*) FROM users") == [(5,)]
    assert not list(tmp_path.glob(".*.work*"))


def test_reader_holding_the_file_does_not_block_a_run(simple_batch, tmp_path):
    db = tmp_path / "r.duckdb"
    load_batch(simple_batch, db)
    reader = duckdb.connect(str(db), read_only=True)
    try:
        load_batch(simple_batch, db)  # publishes by swap while the reader is open
        assert reader.execute("SELECT count(*) FROM users").fetchall() == [(5,)]
    finally:
        reader.close()


def test_reloading_the_same_batch_is_idempotent(simple_batch, tmp_path):
    db = tmp_path / "r.duckdb"
    load_batch(simple_batch, db)
    first = query(db, "SELECT * FROM users ORDER BY sourced_id")
    load_batch(simple_batch, db)
    assert query(db, "SELECT * FROM users ORDER BY sourced_id") == first
    assert query(db, "SELECT count(*) FROM batches") == [(1,)]
    assert query(db, "SELECT count(*) FROM student_guardians") == [(3,)]


def test_seventh_guardian_is_reported_not_linked(tmp_path):
    guardians = "".join(f"g{i},00417,parent,P{i},X,p{i}@x.org,,,,,\n" for i in range(1, 8))
    agents = ",".join(f"g{i}" for i in range(1, 8))
    users = (
        "sourcedId,orgSourcedIds,role,givenName,familyName,email,sms,phone,agentSourcedIds,grades,language\n"
        f'0001,00417,student,Ana,B,,,,"{agents}",09,\n' + guardians
    )
    result = load_batch(
        write_batch(tmp_path / "b", {"orgs.csv": ORGS, "users.csv": users}), tmp_path / "r.duckdb"
    )
    assert result.table_rows["student_guardians"] == 6
    assert result.findings.filter(pl.col("code") == "USR_TOO_MANY_GUARDIANS").height == 1


def test_oneroster_12_roles_give_users_their_role_and_orgs(tmp_path):
    users = "sourcedId,givenName,familyName,primaryOrgSourcedId\nu1,A,B,\nu2,C,D,00417\n"
    roles = (
        "sourcedId,userSourcedId,roleType,role,orgSourcedId\n"
        "r1,u1,secondary,guardian,00417\nr2,u1,primary,teacher,00417\n"
    )
    result = load_batch(
        write_batch(tmp_path / "b", {"orgs.csv": ORGS, "users.csv": users, "roles.csv": roles}),
        tmp_path / "r.duckdb",
    )
    assert query(tmp_path / "r.duckdb", "SELECT sourced_id, role, org_sourced_ids FROM users") == [
        ("u1", "teacher", ["00417"])
    ]
    assert ("users.csv", 3, "USR_ROLE_MISSING") in codes(result)


def test_school_level_upload_replaces_only_that_school(tmp_path):
    orgs = ORGS + "00500,South High,school\n"
    header = "sourcedId,orgSourcedIds,role,givenName,familyName\n"
    district = header + "n1,00417,student,A,B\nn2,00417,student,C,D\ns1,00500,student,E,F\n"
    db = tmp_path / "r.duckdb"
    load_batch(write_batch(tmp_path / "d", {"orgs.csv": orgs, "users.csv": district}), db)
    school = "sourcedId,role,givenName,familyName\nn1,student,A,B\nn3,student,G,H\n"
    result = load_batch(
        write_batch(tmp_path / "s", {"users.csv": school}), db, scope_school="00417"
    )
    assert query(db, "SELECT sourced_id, status FROM users ORDER BY 1") == [
        ("n1", "active"),
        ("n2", "tobedeleted"),  # this school's record the upload no longer lists: deactivated
        ("n3", "active"),
        ("s1", "active"),  # the other school's: untouched
    ]
    assert query(db, "SELECT org_sourced_ids FROM users WHERE sourced_id = 'n3'") == [(["00417"],)]
    assert result.files["rows_applied"].to_list() == [2]


def test_setting_off_ignores_the_roster_guardian_links(simple_batch, tmp_path):
    db = tmp_path / "r.duckdb"
    load_batch(simple_batch, db)
    assert query(db, "SELECT count(*) FROM student_guardians") == [(3,)]
    result = load_batch(simple_batch, db, sync_manages_guardians=False)
    # the roster's links end (deactivated, never deleted): none stays in force
    assert query(db, "SELECT status, count(*) FROM student_guardians GROUP BY 1") == [
        ("tobedeleted", 3)
    ]
    assert not result.findings.filter(pl.col("code").str.starts_with("USR_AGENT")).height
    assert query(db, "SELECT count(*) FROM users WHERE role IN ('parent', 'guardian')") == [(2,)]


def test_a_second_writer_is_refused_clearly_while_one_runs(simple_batch, tmp_path):
    from roster_pipeline.warehouse import WarehouseBusyError

    db = tmp_path / "r.duckdb"
    load_batch(simple_batch, db)
    with Warehouse(db).writer():
        with pytest.raises(WarehouseBusyError, match="Another run is writing"):
            load_batch(simple_batch, db)
    load_batch(simple_batch, db)  # and works again once the first is done


def test_a_rejected_row_keeps_its_previous_live_version(simple_batch, tmp_path):
    db = tmp_path / "r.duckdb"
    load_batch(simple_batch, db)
    # an unknown role rejects the user (a bad optional value, such as a grade, would not)
    bad_role = (
        (simple_batch / "users.csv").read_text().replace("0001,00417,student", "0001,00417,wizard")
    )
    day2 = write_batch(
        tmp_path / "day2",
        {
            "orgs.csv": ORGS,
            "users.csv": bad_role,
            "classes.csv": CLASSES,
            "enrollments.csv": ENROLLMENTS,
        },
    )
    result = load_batch(day2, db)
    assert ("users.csv", 2, "USR_ROLE_INVALID") in codes(result)
    # 0001 was not applied today: yesterday's version stays, and so do its enrollments
    assert query(db, "SELECT grades FROM users WHERE sourced_id = '0001'") == [(["09"],)]
    assert query(db, "SELECT count(*) FROM enrollments") == [(3,)]


def _stage_updates() -> list[str]:
    """Every UPDATE of a staged table, in the SQL files and the sync's Python modules."""
    import re

    import roster_pipeline
    from roster_pipeline.resolve import sql_files

    root = Path(roster_pipeline.__file__).parent
    found = [s for p in sorted(sql_files.SQL_DIR.glob("*.sql")) for s in sql_files.load(p.stem)]
    for source in root.rglob("*.py"):
        text = re.sub(r'"\s*\n\s*f?"', "", source.read_text())  # adjacent literals as one
        found += re.findall(r'UPDATE stage_[^"]*', text)
    return [s for s in found if re.match(r"\s*UPDATE stage_", s)]


def test_every_update_of_staged_values_marks_the_row_touched():
    """A staged row changed after staging is no longer the row the memo knows as live
    (``apply_batch.SAME``): an UPDATE that sets anything but the bookkeeping says so."""
    import re

    updates = _stage_updates()
    assert len(updates) >= 10  # the SQL files' and the settings' (if none were found: broken)
    for statement in updates:
        assigned = re.findall(r"(?:SET|,)\s*([\w{}.]+)\s*=", statement.split(" FROM ")[0])
        if set(assigned) - {"_ok", "_row", "_untouched"}:
            assert "_untouched = false" in statement, statement
