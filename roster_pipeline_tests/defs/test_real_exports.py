"""Real district exports through the real assets: zips, refused archives, other formats, 1.0.

Each test materializes the Dagster assets on files written the way an SIS, an archiver or
another vendor writes them (``exports.py``), and checks the published DuckDB file.
"""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from roster_pipeline.defs.resources import district_resource, roster_resources
from roster_pipeline.defs.sync.assets import roster_sync
from roster_pipeline.defs.sync.materialize import materialize_batch
from roster_pipeline.defs.sync.partitions import roster_batches, sync_key
from roster_pipeline.sync.drop_folder import complete_batches
from roster_pipeline_tests.conftest import SAMPLE, write_batch
from roster_pipeline_tests.defs.exports import V1_0, V1_1, district_1_1, zip_folder

TABLES = ("orgs", "academic_sessions", "courses", "classes", "users", "enrollments")


def materialize(data: Path, db: Path, **settings) -> dg.ExecuteInProcessResult:
    return materialize_batch(data, duckdb_path=str(db), tenant_id="t", **settings)


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def snapshot(db: Path, table: str, drop: tuple[str, ...] = ()) -> list[tuple]:
    """A table's rows without the columns that name the batch (and ``drop``), sorted."""
    exclude = ", ".join(("batch_id", *drop))
    return rows(db, f"SELECT * EXCLUDE ({exclude}) FROM {table} ORDER BY ALL")


def failure_text(result: dg.ExecuteInProcessResult) -> str:
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert failures, "the run did not fail"
    return " ".join(str(e.event_specific_data.error.message) for e in failures)


# --- zip batches -----------------------------------------------------------------------------


@pytest.mark.parametrize("inside", ["", "export-2026-11-23"])
def test_a_zip_batch_equals_the_same_files_unzipped(tmp_path, inside):
    folder = SAMPLE  # with its deliberate mistakes: findings in every file
    archive = zip_folder(folder, tmp_path / "roster.zip", inside)
    plain, zipped = tmp_path / "plain" / "r.duckdb", tmp_path / "zipped" / "r.duckdb"
    assert materialize(folder, plain).success
    result = materialize(archive, zipped)
    assert result.success
    for table in (*TABLES, "student_guardians"):
        when = ("linked_at", "ended_at") if table == "student_guardians" else ()  # run times
        assert snapshot(zipped, table, when) == snapshot(plain, table, when), table
        assert snapshot(zipped, table, when), table
    findings = "SELECT file, line, column_name, code, message FROM findings ORDER BY ALL"
    assert rows(zipped, findings) == rows(plain, findings)
    assert {("users.csv",), ("enrollments.csv",)} <= set(
        rows(zipped, "SELECT DISTINCT file FROM findings")
    )
    assert rows(zipped, "SELECT folder FROM batches") == [(str(archive.resolve()),)]
    files = "SELECT file, rows_read, rows_applied, sha256 FROM batch_files ORDER BY file"
    assert rows(zipped, files) == rows(plain, files)


def test_a_zip_keeps_line_exact_findings_with_member_names(tmp_path):
    users = V1_1["users.csv"] + "bad1,,,,s1,student,x,x,Xu,,,,not-an-email,,,,,\n"
    folder = write_batch(tmp_path / "roster", {**V1_1, "users.csv": users})
    db = tmp_path / "r.duckdb"
    assert materialize(zip_folder(folder, tmp_path / "roster.zip"), db).success
    assert rows(db, "SELECT file, line FROM findings WHERE code = 'USR_EMAIL_INVALID'") == [
        ("users.csv", 8)
    ]


def _archive(path: Path, members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as handle:
        for info, data in members:
            handle.writestr(info, data)
    return path


def _symlink(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16  # how Info-ZIP stores a link
    return info, target.encode()


def _encrypt_flags(path: Path) -> None:
    """Set the "encrypted" bit (bit 0 of the general purpose flags) of every member, in the
    local headers and the central directory, as a password-protected zip carries it (Python's
    writer cannot encrypt)."""
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at >= 0:
            data[at + offset] |= 0x1
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


def _nested(name: str) -> tuple[str, bytes]:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as handle:
        handle.writestr("users.csv", V1_1["users.csv"])
    return name, inner.getvalue()


USERS = V1_1["users.csv"].encode()
REFUSED = {
    "traversal": ([("../../etc/users.csv", USERS)], "ARCHIVE_PATH_UNSAFE"),
    "absolute": ([("/etc/cron.d/users.csv", USERS)], "ARCHIVE_PATH_UNSAFE"),
    "symlink": ([_symlink("users.csv", "/etc/passwd")], "ARCHIVE_SYMLINK"),
    "encrypted": ([("users.csv", USERS)], "ARCHIVE_ENCRYPTED"),
    "nested": ([_nested("roster.zip"), ("orgs.csv", V1_1["orgs.csv"].encode())], "ARCHIVE_NESTED"),
    "bomb": ([("users.csv", USERS + b"x" * 3_000_000 + b"\n")], "ARCHIVE_TOO_LARGE"),
    "two folders": ([("a/users.csv", USERS), ("b/orgs.csv", b"x")], "ARCHIVE_LAYOUT"),
    "not a zip": (None, "ARCHIVE_UNREADABLE"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_refused_archive_fails_the_run_and_changes_nothing(tmp_path, case):
    db = tmp_path / "r.duckdb"
    assert materialize(district_1_1(tmp_path / "day1"), db).success
    before = {t: snapshot(db, t) for t in TABLES}
    members, code = REFUSED[case]
    archive = tmp_path / "day2.zip"
    if members is None:
        archive.write_bytes(b"PK\x03\x04 this transfer was cut short")
    else:
        _archive(archive, members)
    if case == "encrypted":
        _encrypt_flags(archive)
    result = materialize(archive, db)
    assert not result.success
    assert "Nothing was applied" in failure_text(result)
    assert {t: snapshot(db, t) for t in TABLES} == before
    assert rows(db, "SELECT status FROM batches ORDER BY applied_at") == [
        ("applied",),
        ("rejected",),
    ]
    found = rows(db, f"SELECT file, severity FROM findings WHERE code = '{code}'")
    assert found == [("day2.zip", "error")]
    assert rows(db, "SELECT status FROM sync_runs ORDER BY started_at") == [
        ("applied",),
        ("rejected",),
    ]


def test_archive_limits_are_settings(tmp_path):
    archive = zip_folder(district_1_1(tmp_path / "roster"), tmp_path / "roster.zip")
    db = tmp_path / "r.duckdb"
    result = materialize(archive, db, zip_max_bytes=1_000)
    assert not result.success
    assert "over the limit of 1,000" in failure_text(result)
    assert materialize(archive, tmp_path / "ok.duckdb", zip_max_bytes=10_000_000).success


def test_the_sensor_sees_a_settled_zip_as_one_batch_and_the_sync_applies_it(tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    zip_folder(SAMPLE, drop / "2026-11-23.zip")
    (drop / "2026-11-24.zip").write_bytes(b"PK\x03\x04 still arriving")  # no directory yet
    assert complete_batches(drop, settle_seconds=0) == ["2026-11-23.zip"]
    db = tmp_path / "r.duckdb"
    district = district_resource(drop_dir=str(drop), settle_seconds=0)
    resources = roster_resources(duckdb_path=str(db), district=district)
    with dg.instance_for_test() as instance:

        def sync(batch: str, mode: str = "apply") -> dg.ExecuteInProcessResult:
            instance.add_dynamic_partitions(roster_batches.name, [batch])
            return dg.materialize(
                [roster_sync],
                instance=instance,
                resources=resources,
                partition_key=sync_key(batch, mode),
                raise_on_error=False,
            )

        assert sync("2026-11-23.zip").success
        missing = sync("2026-11-25")
        users = rows(db, "SELECT count(*) FROM users")[0][0]
        _archive(drop / "2026-11-26.zip", [("../users.csv", USERS)])
        refused = sync("2026-11-26.zip", "preview")
    assert users > 400
    assert str(drop) in failure_text(missing)
    assert "points outside the archive" in failure_text(refused)
    assert rows(db, "SELECT count(*) FROM users") == [(users,)]
    assert rows(db, "SELECT status FROM batches ORDER BY applied_at") == [
        ("applied",),
        ("rejected",),
    ]


# --- exports that are not OneRoster --------------------------------------------------------

SDS_V1 = {
    "School.csv": "SIS ID,Name,School Number\n100,Lincoln High,100\n",
    "Section.csv": "SIS ID,School SIS ID,Section Name\n5001,100,Algebra I\n",
    "Student.csv": "SIS ID,School SIS ID,Username,First Name,Last Name\n1001,100,ana,Ana,Reyes\n",
    "Teacher.csv": "SIS ID,School SIS ID,Username,First Name,Last Name\nT01,100,clin,Chen,Lin\n",
    "StudentEnrollment.csv": "Section SIS ID,SIS ID\n5001,1001\n",
}
CLEVER = {
    "schools.csv": "School_id,School_name,School_number\n100,Lincoln High,100\n",
    "students.csv": "School_id,Student_id,First_name,Last_name\n100,1001,Ana,Reyes\n",
    "teachers.csv": "School_id,Teacher_id,First_name,Last_name\n100,T01,Chen,Lin\n",
    "sections.csv": "School_id,Section_id,Teacher_id,Name\n100,5001,T01,Algebra I\n",
    "enrollments.csv": "School_id,Section_id,Student_id\n100,5001,1001\n",
}


@pytest.mark.parametrize(
    ("files", "said"),
    [
        (SDS_V1, "a Microsoft School Data Sync v1 export"),
        (CLEVER, "a Clever export"),
        ({"roster.csv": "Name,Grade\nAna,9\n"}, "users.csv or enrollments.csv expected"),
        (
            {"guardians.csv": "Student ID,First Name,Last Name,Email\n1001,M,R,m@example.com\n"},
            "a guardians upload",
        ),
    ],
    ids=["sds-v1", "clever", "unknown", "guardians"],
)
def test_an_export_that_is_not_oneroster_fails_the_run_and_says_what_it_looks_like(
    tmp_path, files, said
):
    db = tmp_path / "r.duckdb"
    result = materialize(write_batch(tmp_path / "export", files), db)
    assert not result.success
    assert said in failure_text(result)
    assert rows(db, "SELECT status, rows_applied FROM batches") == [("rejected", 0)]
    assert rows(db, "SELECT severity FROM findings WHERE code = 'BATCH_NO_ROSTER'") == [("error",)]


# --- OneRoster 1.0 -------------------------------------------------------------------------

NOT_IN_1_0 = {
    "users": ("enabled_user", "middle_name", "grades", "date_last_modified", "extensions"),
    "academic_sessions": ("school_year", "date_last_modified", "extensions"),
    "courses": ("subject_codes", "date_last_modified", "extensions"),
    "classes": ("subject_codes", "periods", "date_last_modified", "extensions"),
    "enrollments": ("begin_date", "end_date", "date_last_modified", "extensions"),
    "orgs": ("date_last_modified", "extensions"),
}
"""Columns OneRoster 1.0 has no field for (and dateLastModified, blank in a 1.1 bulk file)."""


def test_a_1_0_and_a_1_1_export_of_one_district_give_the_same_tables(tmp_path):
    new, old = tmp_path / "v11" / "r.duckdb", tmp_path / "v10" / "r.duckdb"
    assert materialize(district_1_1(tmp_path / "v1.1"), new).success
    assert materialize(write_batch(tmp_path / "v1.0", V1_0), old).success
    for table, missing in NOT_IN_1_0.items():
        assert snapshot(old, table, missing) == snapshot(new, table, missing), table
    links = "SELECT student_sourced_id, guardian_sourced_id, relationship FROM student_guardians"
    assert rows(old, links + " ORDER BY ALL") == rows(new, links + " ORDER BY ALL")
    assert len(rows(old, links)) == 3  # 1.0's agents are guardian links
    # 1.0's userId is an identifier, not a second id; inactive is tobedeleted
    assert rows(old, "SELECT user_ids FROM users WHERE sourced_id = 'stu1'") == [(["ana.reyes"],)]
    assert rows(old, "SELECT status FROM enrollments WHERE sourced_id = 'e4'") == [("tobedeleted",)]
    codes = {c for (c,) in rows(old, "SELECT code FROM findings")}
    assert "FILE_HEADER_DUPLICATE" not in codes
    assert {"FILE_ONEROSTER_1_0", "ENR_STATUS_MAPPED"} <= codes
    assert rows(old, "SELECT oneroster_version FROM batches") == [("1.0",)]
    # the terms and school years 1.0 names are references, not extensions
    assert rows(old, "SELECT term_sourced_ids FROM classes WHERE sourced_id = 'cls1'") == [
        (["t1"],)
    ]
    assert rows(old, "SELECT school_year_sourced_id FROM courses WHERE sourced_id = 'crs1'") == [
        ("y2026",)
    ]
    assert rows(old, "SELECT count(*) FROM classes WHERE extensions IS NOT NULL") == [(0,)]


def test_date_last_modified_is_a_timestamp_in_both_versions(tmp_path):
    new, old = tmp_path / "v11" / "r.duckdb", tmp_path / "v10" / "r.duckdb"
    assert materialize(district_1_1(tmp_path / "v1.1"), new).success
    assert materialize(write_batch(tmp_path / "v1.0", V1_0), old).success
    sql = "SELECT date_last_modified::VARCHAR FROM enrollments WHERE sourced_id = 'e4'"
    assert rows(new, sql) == rows(old, sql) == [("2025-09-30 16:20:00",)]
    kind = (
        "SELECT data_type FROM information_schema.columns WHERE table_schema = 'main' "
        "AND table_name = 'enrollments' AND column_name = 'date_last_modified'"
    )
    assert rows(old, kind) == [("TIMESTAMP",)]
