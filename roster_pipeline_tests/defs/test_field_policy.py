"""The error policy, credentials, roles and readable findings, through the real assets."""

from __future__ import annotations

import zipfile
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from roster_pipeline.defs.resources import district_resource
from roster_pipeline.defs.sync.materialize import materialize_batch
from roster_pipeline_tests.conftest import write_batch
from roster_pipeline_tests.defs.exports import V1_1

SECRET = "Zq7-h0rse-battery-staple-91"


def materialize(
    data: Path, db: Path, instance: dg.DagsterInstance | None = None, **kw
) -> dg.ExecuteInProcessResult:
    return materialize_batch(data, duckdb_path=str(db), tenant_id="t", instance=instance, **kw)


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def with_users(tmp_path: Path, users: str, **more: str) -> Path:
    return write_batch(tmp_path / "batch", {**V1_1, "users.csv": users, **more})


# --- credentials ---------------------------------------------------------------------------


def _found_in(path: Path) -> bool:
    """Whether SECRET is in the file, read the way its format stores text."""
    data = path.read_bytes()
    if SECRET.encode() in data:
        return True
    if path.suffix == ".duckdb":
        with duckdb.connect(str(path), read_only=True) as con:
            tables = con.execute(
                "SELECT table_catalog, table_schema, table_name FROM information_schema.tables"
            ).fetchall()
            return any(
                SECRET in str(con.execute(f'SELECT * FROM "{c}"."{s}"."{t}"').fetchall())
                for c, s, t in tables
            )
    if path.suffix == ".arrow":  # compressed frames of the frame store
        return SECRET in str(pl.read_ipc(path).to_dicts())
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:
            return any(SECRET.encode() in book.read(n) for n in book.namelist())
    return False


def test_a_planted_password_appears_in_no_byte_the_run_wrote(tmp_path):
    header = (
        "sourcedId,orgSourcedIds,role,givenName,familyName,email,password,"
        "ext_clever_studentPassword,Student PIN,metadata.apiToken\n"
    )
    people = [("stu1", "student", "Ana"), ("tch1", "teacher", "Chen"), ("par1", "parent", "Maria")]
    users = header + "".join(
        f"{sid},s1,{role},{name},Reyes,{sid}@lincoln.k12.us,{SECRET},{SECRET},{SECRET},{SECRET}\n"
        for sid, role, name in people
    )
    batch = with_users(tmp_path, users)
    home = tmp_path / "dagster_home"
    home.mkdir()
    db = tmp_path / "out" / "r.duckdb"
    with dg.instance_for_test(temp_dir=str(home)) as instance:
        result = materialize(batch, db, instance)
        assert result.success
        logs = instance.all_logs(result.run_id)
    assert SECRET not in str([e.dagster_event for e in logs]) + str([e.user_message for e in logs])
    written = [p for p in tmp_path.rglob("*") if p.is_file() and "batch" not in p.parts]
    assert any(p.suffix == ".duckdb" for p in written)
    assert any(p.suffix == ".xlsx" for p in written)
    assert any("dagster_home" in p.parts for p in written)
    assert [p for p in written if _found_in(p)] == []
    notes = rows(db, "SELECT message FROM findings WHERE code = 'FILE_SECRET_DROPPED'")
    assert len(notes) == 1  # one per file, naming the columns
    for column in ("password", "ext_clever_studentPassword", "Student PIN", "metadata.apiToken"):
        assert column in notes[0][0]
    assert rows(db, "SELECT count(*) FROM users WHERE extensions IS NOT NULL") == [(0,)]


# --- roles and permissions -----------------------------------------------------------------

STAFF = (
    "sourcedId,orgSourcedIds,role,givenName,familyName,email\n"
    "tch1,s1,teacher,Chen,Lin,c.lin@lincoln.k12.us\n"
    "stf1,s1,staff,Sam,Ortiz,s.ortiz@lincoln.k12.us\n"
    "fac1,s1,Faculty,Fay,Wong,f.wong@lincoln.k12.us\n"
    "cns1,s1,Guidance Counselor,Cora,Diaz,c.diaz@lincoln.k12.us\n"
    "prn1,s1,principal,Pat,Kim,p.kim@lincoln.k12.us\n"
    "stu1,s1,student,Ana,Reyes,ana.reyes@lincoln.k12.us\n"
)


def permissions(db: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for user, permission in rows(db, "SELECT user_sourced_id, permission FROM staff_permissions"):
        out.setdefault(user, set()).add(permission)
    return out


def test_staff_words_never_become_teachers_and_each_role_gets_only_its_grants(tmp_path):
    db = tmp_path / "r.duckdb"
    batch = with_users(tmp_path, STAFF)
    assert materialize(batch, db).success
    roles = dict(rows(db, "SELECT sourced_id, role FROM users"))
    assert roles["stf1"] == roles["fac1"] == "ext:staff"
    assert roles["cns1"] == "counselor"
    granted = permissions(db)
    assert "Family Access" in granted["tch1"]
    assert "Permissions Admin" in granted["prn1"]
    assert {"stf1", "fac1", "cns1", "stu1"}.isdisjoint(granted)  # none granted to them

    again = tmp_path / "again" / "r.duckdb"
    district = district_resource(
        role_permissions={"counselor": ["Family Access"], "ext:staff": ["Content Moderator"]}
    )
    assert materialize(batch, again, district=district).success
    granted = permissions(again)
    assert granted["cns1"] == {"Family Access"}
    assert granted["stf1"] == granted["fac1"] == {"Content Moderator"}


def test_staff_permissions_are_never_granted_to_students_or_guardians():
    from roster_pipeline.sync.settings import SyncSettings

    with pytest.raises(ValueError, match="cannot be granted"):
        SyncSettings(role_permissions=(("parent", ("Family Access",)),))


# --- the policy: optional fields blank, required fields reject -----------------------------


def test_a_bad_optional_grade_keeps_the_user_and_their_enrollments(tmp_path):
    users = (
        V1_1["users.csv"]
        .replace(
            "stu1,,,,s1,student,ana.reyes,ana.reyes,Ana,Reyes,,1001,ana.reyes@lincoln.k12.us,,,par1,,",
            "stu1,,,,s1,student,ana.reyes,ana.reyes,Ana,Reyes,,1001,ana.reyes@lincoln.k12.us,,,par1,PS1,",
        )
        .replace(
            "stu2,,,,s1,student,ben.okafor,ben.okafor,Ben,Okafor,,1002,ben.okafor@lincoln.k12.us,,,"
            '"par2,par3",,',
            "stu2,,,,s1,student,ben.okafor,ben.okafor,Ben,Okafor,,1002,ben.okafor@lincoln.k12.us,,,"
            '"par2,par3","09,undergraduate",',
        )
    )
    db = tmp_path / "r.duckdb"
    assert materialize(with_users(tmp_path, users), db).success
    assert rows(db, "SELECT sourced_id, grades FROM users WHERE role = 'student' ORDER BY 1") == [
        ("stu1", None),
        ("stu2", ["09"]),
    ]
    assert rows(db, "SELECT count(*) FROM enrollments WHERE user_sourced_id = 'stu1'") == [(2,)]
    found = rows(db, "SELECT severity, value FROM findings WHERE code = 'USR_GRADE_INVALID'")
    assert sorted(found) == [("warning", "09,undergraduate"), ("warning", "PS1")]


def test_a_bad_required_value_rejects_the_record_and_an_extensible_one_is_kept(tmp_path):
    orgs = V1_1["orgs.csv"] + "s2,,,Lincoln Middle,,,d1\ns3,,,Lincoln College,college,,d1\n"
    db = tmp_path / "r.duckdb"
    assert materialize(write_batch(tmp_path / "b", {**V1_1, "orgs.csv": orgs}), db).success
    assert rows(db, "SELECT sourced_id, type FROM orgs ORDER BY 1") == [
        ("d1", "district"),
        ("s1", "school"),
        ("s3", "ext:college"),
    ]
    assert rows(db, "SELECT code, severity FROM findings WHERE file = 'orgs.csv' ORDER BY 1") == [
        ("ORG_REQUIRED_MISSING", "error"),
        ("ORG_VALUE_EXTENDED", "warning"),
    ]


def test_values_that_fail_stay_queryable_as_sent_and_messages_stay_masked(tmp_path):
    users = (
        "sourcedId,orgSourcedIds,role,givenName,familyName,email,Home Phone\n"
        "par1,s1,parent,Maria,Reyes,m.reyes@example,950-1234\n"
        "stu1,s1,student,Ana,Reyes,ana.reyes@lincoln.k12.us,\n"
    )
    demographics = (
        "userSourcedId,birthDate,sex\nstu1,2017-05-06 08:01:05,female\npar1,8/27/2018,female\n"
    )
    db = tmp_path / "r.duckdb"
    batch = with_users(tmp_path, users, **{"demographics.csv": demographics})
    assert materialize(batch, db).success
    found = dict(rows(db, "SELECT code, value FROM findings WHERE value IS NOT NULL"))
    assert found["USR_PHONE_INVALID"] == "950-1234"
    assert found["USR_EMAIL_INVALID"] == "m.reyes@example"
    assert found["DEM_DATE_INVALID"] == "8/27/2018"
    messages = " ".join(m for (m,) in rows(db, "SELECT message FROM findings"))
    assert "950-1234" not in messages and "m.reyes@example" not in messages
    assert "Home Phone (home)" in messages  # the header as the file spells it
    assert rows(db, "SELECT birth_date::VARCHAR FROM demographics WHERE sourced_id = 'stu1'") == [
        ("2017-05-06",)
    ]
    assert rows(db, "SELECT count(*) FROM users") == [(2,)]  # both applied


def test_a_guardian_nobody_can_reach_gets_a_warning(tmp_path):
    users = V1_1["users.csv"].replace(",,+1 212 555 0100,,,,", ",,,,,,")
    db = tmp_path / "r.duckdb"
    assert materialize(with_users(tmp_path, users), db).success
    sql = "SELECT sourced_id, severity FROM findings WHERE code = 'USR_GUARDIAN_UNREACHABLE'"
    assert rows(db, sql) == [("par2", "warning")]


# --- findings people can read --------------------------------------------------------------


def test_ten_thousand_identical_case_variants_are_one_notice(tmp_path):
    lines = ["sourcedId,orgSourcedIds,role,givenName,familyName,email"]
    lines += [f"t{i:05d},s1,Teacher,T,Person{i},t{i}@lincoln.k12.us" for i in range(10_000)]
    demographics = "sourcedId,sex,white,asian\n" + "".join(
        f"t{i:05d},Female,TRUE,FALSE\n" for i in range(8)
    )
    db = tmp_path / "r.duckdb"
    batch = with_users(tmp_path, "\n".join(lines) + "\n", **{"demographics.csv": demographics})
    assert materialize(batch, db).success
    sql = "SELECT line, severity, message FROM findings WHERE code = 'USR_ROLE_MAPPED'"
    notices = rows(db, sql)
    assert len(notices) == 1
    line, severity, message = notices[0]
    assert (line, severity) == (2, "info")
    assert "10000 rows: lines 2, 3, 4, 5, 6, ..." in message
    # 8 rows x 3 columns of case variants: one notice per column and value, not 24
    assert rows(db, "SELECT count(*) FROM findings WHERE code = 'DEM_VALUE_CASE'") == [(3,)]
    assert rows(db, "SELECT count(*) FROM users") == [(10_000,)]


def test_no_finding_template_renders_an_empty_message():
    from roster_pipeline.schemas.validate_file import MESSAGES, _message

    frame = pl.DataFrame(
        {"value": [None], "hint": [None], "_raw": [None]},
        schema={"value": pl.String, "hint": pl.String, "_raw": pl.String},
    )
    for issue, template in MESSAGES.items():
        (text,) = frame.select(_message(template, "", pl.col("_raw"), "x")).to_series()
        assert text and text.strip(" .;:'()") != "", issue
