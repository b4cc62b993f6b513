"""Rows left quiet (recognised, known live) record exactly what reading every row records.

Each case changes a record that recognised rows refer to, in a way a rule reads (a class's
school or status, a user's role or status, an organisation's type, who lists whom as a guardian),
and runs the days both ways: every row read, and with the row memo leaving the other rows quiet.
"""

from __future__ import annotations

import polars as pl
import pytest

from roster_pipeline.devtools.churn import LEVELS, churn
from roster_pipeline.devtools.generate import generate, write
from roster_pipeline.devtools.generate_agents import generate_agents
from roster_pipeline.resolve import quiet_rows
from roster_pipeline_tests.resolve.test_row_memo import (
    ANA,
    BEN,
    CLASSES,
    CY,
    ENROLLMENTS,
    GUARDIAN,
    HEADER,
    ORGS,
    TEACHER,
    _apply,
    _batch,
    _both_ways,
    _users,
)
from roster_pipeline_tests.sync.test_resend import SETTINGS

EVERYONE = (ANA, BEN, CY, GUARDIAN, TEACHER)
HEADER_STATUS = HEADER.replace("\n", ",status\n")


def _codes(outcome, code: str) -> list[tuple[str, int]]:
    found = outcome.findings.filter(pl.col("code") == code)
    return sorted(zip(found["file"], found["line"], strict=True))


def _two_days(tmp_path, settings="defaults", mon=None, **tue):
    mon = mon or {}
    users_mon = mon.pop("users", _users(*EVERYONE))
    users_tue = tue.pop("users", users_mon)
    days = [
        _batch(tmp_path / "drop" / "mon", users_mon, **mon),
        _batch(tmp_path / "drop" / "tue", users_tue, **tue),
    ]
    return _both_ways(days, SETTINGS[settings], tmp_path)


def test_a_class_moving_school_brings_back_its_enrollments(tmp_path):
    orgs = ORGS + "sch2,South High,school\n"
    moved = CLASSES.replace("c1,Algebra,sch", "c1,Algebra,sch2")
    _, memo = _two_days(tmp_path, mon={"orgs": orgs}, orgs=orgs, classes=moved)
    # c1's three enrollments name the old school: the class's is used, and said so
    assert _codes(memo[1], "ENR_SCHOOL_MISMATCH") == [("enrollments.csv", n) for n in (2, 3, 5)]
    assert memo[1].rows_recognised > memo[1].records_not_compared > 0


def test_a_user_changing_role_brings_back_their_enrollments(tmp_path):
    now_student = TEACHER.replace(",teacher,", ",student,")
    _, memo = _two_days(tmp_path, users=_users(ANA, BEN, CY, GUARDIAN, now_student))
    assert _codes(memo[1], "ENR_ROLE_MISMATCH") == [("enrollments.csv", 5)]


def test_a_school_that_is_no_longer_a_school_is_reported_on_its_classes(tmp_path):
    no_school = ORGS.replace("sch,North High,school", "sch,North High,district")
    _, memo = _two_days(tmp_path, orgs=no_school)
    assert _codes(memo[1], "CLS_SCHOOL_NOT_SCHOOL") == [("classes.csv", 2), ("classes.csv", 3)]


@pytest.mark.parametrize("settings", ["defaults", "archived_kept"])
def test_a_user_or_class_gone_closes_the_recognised_enrollments(tmp_path, settings):
    gone_class = "sourcedId,title,schoolSourcedId\nc1,Algebra,sch\n"
    full, memo = _two_days(
        tmp_path, settings, users=_users(ANA, BEN, GUARDIAN, TEACHER), classes=gone_class
    )
    # Cy left and c2 closed: Cy's enrollment in c2, sent again as it was, is kept inactive
    closed = [("enrollments.csv", 4)]
    assert _codes(memo[1], "ENR_USER_INACTIVE") == _codes(memo[1], "ENR_CLASS_ARCHIVED") == closed
    assert full[1].counts.n("enrollments", "deactivated") == 1


def test_a_guardian_changing_role_is_reported_on_the_students_lines(tmp_path):
    teacher_now = GUARDIAN.replace(",parent,", ",teacher,")
    full, memo = _two_days(tmp_path, users=_users(ANA, BEN, CY, teacher_now, TEACHER))
    # Ana and Ben list g1 and are left as they were; their links end and each row is told why
    assert _codes(memo[1], "USR_AGENT_NOT_GUARDIAN") == [("users.csv", 2), ("users.csv", 3)]
    assert full[1].counts.n("guardian_links", "deactivated") == 2


def _guardian(n: int, *children: str) -> str:
    listed = ",".join(children)
    return f'g{n},sch,parent,P{n},Lee,p{n}@example.org,,"{listed}"\n'


def test_a_seventh_guardian_of_a_quiet_student_waits_for_a_place(tmp_path):
    """The guardians' rows list the child; Ana's own row is quiet every day."""
    ana = ANA.replace(",g1\n", ",\n")
    six = [_guardian(n, "s1") for n in range(1, 7)]
    days = [
        _batch(tmp_path / "drop" / "mon", _users(ana, *six, TEACHER)),
        _batch(tmp_path / "drop" / "tue", _users(ana, *six, TEACHER, _guardian(7, "s1"))),
        # g2 stops listing Ana: the seventh takes the place
        _batch(
            tmp_path / "drop" / "wed",
            _users(ana, six[0], _guardian(2), *six[2:], TEACHER, _guardian(7, "s1")),
        ),
    ]
    full, memo = _both_ways(days, SETTINGS["defaults"], tmp_path)
    assert _codes(memo[1], "USR_TOO_MANY_GUARDIANS") == [("users.csv", 10)]
    assert memo[2].findings.filter(pl.col("code") == "USR_TOO_MANY_GUARDIANS").is_empty()
    assert [o.counts.n("guardian_links", "created") for o in full] == [6, 0, 1]
    assert memo[1].records_not_compared > 0


def test_a_role_change_makes_a_quiet_guardians_listing_a_link(tmp_path):
    """g1 lists the teacher t1: no link (a teacher is no student) and no finding. When t1
    becomes a student, the link is made though g1's row is quiet."""
    lists_teacher = GUARDIAN.replace(",\n", ",t1\n")
    mon = {"users": _users(ANA, BEN, CY, lists_teacher, TEACHER)}
    student = TEACHER.replace(",teacher,", ",student,")
    full, memo = _two_days(tmp_path, mon=mon, users=_users(ANA, BEN, CY, lists_teacher, student))
    assert full[0].counts.n("guardian_links", "created") == 2
    assert full[1].counts.n("guardian_links", "created") == 1
    assert memo[1].records_not_compared > 0


def test_a_guardian_who_stops_listing_a_quiet_child_ends_the_link(tmp_path):
    """The guardian's row lists the children; on Tuesday g1 lists only Ana: the link to Ben
    ends though Ben's row is quiet (and names nobody)."""
    children = [r.replace(",g1\n", ",\n") for r in (ANA, BEN)]
    mon = {"users": _users(*children, CY, GUARDIAN.replace(",\n", ',"s1,s2"\n'), TEACHER)}
    only_ana = GUARDIAN.replace(",\n", ",s1\n")
    full, memo = _two_days(tmp_path, mon=mon, users=_users(*children, CY, only_ana, TEACHER))
    assert full[1].counts.n("guardian_links", "deactivated") == 1
    assert memo[1].records_not_compared > 0


def test_a_guardian_coming_back_is_linked_to_the_quiet_children_listing_them(tmp_path):
    """Ana and Ben list g1, who is deactivated on Monday: no link. On Tuesday g1 is active
    again; the children's rows, quiet, are the only ones naming g1."""
    status = [r.replace("\n", ",\n") for r in (ANA, BEN, CY, TEACHER)]
    away = GUARDIAN.replace("\n", ",tobedeleted\n")
    mon = {"users": _users(*status, away, header=HEADER_STATUS)}
    back = _users(*status, GUARDIAN.replace("\n", ",active\n"), header=HEADER_STATUS)
    full, memo = _two_days(tmp_path, mon=mon, users=back)
    assert full[0].counts.n("guardian_links", "created") == 0
    assert full[1].counts.n("guardian_links", "created") == 2
    assert memo[1].records_not_compared > 0


def test_an_org_renamed_leaves_the_rows_that_refer_to_it_quiet(tmp_path):
    """A new name is nothing a rule reads: the classes, users and enrollments stay quiet."""
    renamed = ORGS.replace("North High", "North High School")
    full, memo = _two_days(tmp_path, orgs=renamed)
    assert full[1].counts.n("orgs", "updated") == 1
    others = 5 + 2 + 4  # users, classes and enrollments; Cy's enrollment included
    assert memo[1].records_not_compared >= others


def test_quiet_rows_of_a_delta_file_keep_the_rows_it_does_not_name(tmp_path):
    manifest = (
        "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\n"
        "file.users,delta\nfile.orgs,bulk\nfile.classes,bulk\nfile.enrollments,bulk\n"
    )
    mon = _users(*(r.replace("\n", ",active\n") for r in EVERYONE), header=HEADER_STATUS)
    tue = _users(
        *(r.replace("\n", ",active\n") for r in (ANA, BEN, GUARDIAN)),
        CY.replace("\n", ",tobedeleted\n"),
        header=HEADER_STATUS,
    )
    days = [
        _batch(tmp_path / "drop" / "mon", mon, manifest=manifest),
        _batch(tmp_path / "drop" / "tue", tue, manifest=manifest),
    ]
    full, memo = _both_ways(days, SETTINGS["defaults"], tmp_path)
    assert full[1].counts.n("users", "deactivated") == 1  # the teacher, not named, stays
    assert _codes(memo[1], "ENR_USER_INACTIVE") == [("enrollments.csv", 4)]


def test_records_no_file_lists_stay_out_until_something_they_refer_to_changes(tmp_path):
    """Cy and his enrollment leave on Tuesday. From Wednesday on they are deactivated records
    no file lists: left as they are, and not compared. On Thursday his class moves to another
    school; on Friday he comes back."""
    not_cy = ENROLLMENTS.replace("c2,sch,s3,student\n", "")
    orgs = ORGS + "sch2,South High,school\n"
    moved = CLASSES.replace("c2,Biology,sch", "c2,Biology,sch2")
    without_cy = _users(ANA, BEN, GUARDIAN, TEACHER)
    days = [
        _batch(tmp_path / "drop" / "mon", _users(*EVERYONE), orgs=orgs),
        _batch(tmp_path / "drop" / "tue", without_cy, orgs=orgs, enrollments=not_cy),
        _batch(tmp_path / "drop" / "wed", without_cy, orgs=orgs, enrollments=not_cy),
        _batch(tmp_path / "drop" / "thu", without_cy, orgs=orgs, enrollments=not_cy, classes=moved),
        _batch(tmp_path / "drop" / "fri", _users(*EVERYONE), orgs=orgs, classes=moved),
    ]
    full, memo = _both_ways(days, SETTINGS["defaults"], tmp_path)
    assert full[1].counts.n("users", "deactivated") == full[1].counts.n(
        "enrollments", "deactivated"
    )
    # Wednesday changes nothing: every live record is known to stay as it is
    assert memo[2].records_not_compared == sum(full[2].table_rows[t] for t in quiet_rows.TABLES)
    assert full[2].counts.totals().keys() == {"unchanged"}
    # Thursday: Cy's enrollment, deactivated and unlisted, takes its class's new school
    assert full[3].counts.n("enrollments", "updated") == 1
    assert full[4].counts.n("users", "reactivated") == 1


def test_a_preview_before_the_first_load_then_two_days(tmp_path):
    """A preview with no live table yet remembers the rows it read, but vouches for none."""
    settings = SETTINGS["defaults"]
    mon = _batch(tmp_path / "drop" / "mon", _users(*EVERYONE))
    tue = _batch(tmp_path / "drop" / "tue", _users(ANA, BEN, GUARDIAN, TEACHER))
    steps = [_apply(mon, settings, mode="preview"), mon, tue]
    _, memo = _both_ways(steps, settings, tmp_path)
    assert memo[0].status == "previewed"
    assert memo[1].records_not_compared == 0  # nothing was live when Monday was read
    assert memo[2].records_not_compared > 0


PROFILES = {"households": generate, "agents": generate_agents}


@pytest.mark.parametrize("settings", SETTINGS.keys())
@pytest.mark.parametrize("profile", PROFILES.keys())
def test_generated_districts_at_every_churn_match_reading_every_row(profile, settings, tmp_path):
    """A day of each churn after the first load, then the first day's files again."""
    files = PROFILES[profile](300, 5)
    days = [files, *(churn(files, LEVELS[level]) for level in ("typical", "heavy", "quiet"))]
    days.append(files)
    folders = []
    for n, day in enumerate(days):
        folders.append(tmp_path / "drop" / f"day{n}")
        write(day, folders[-1])
    full, memo = _both_ways(folders, SETTINGS[settings], tmp_path)
    read = [int(o.files["rows_read"].sum()) for o in full]
    # most of each day's records are left as they are and not compared
    assert all(o.records_not_compared > 0.5 * r for o, r in zip(memo[1:], read[1:], strict=True))
    assert sum(o.counts.totals().get("deactivated", 0) for o in full[1:]) > 0


def test_the_next_views_add_the_live_records_left_out_only_where_rows_are_quiet():
    import duckdb

    con = duckdb.connect()
    live = "(tenant_id VARCHAR, application_id VARCHAR, sourced_id VARCHAR, status VARCHAR)"
    con.execute(f"CREATE TABLE orgs {live}")
    con.execute("INSERT INTO orgs VALUES ('t', 'a', 'o1', 'active'), ('t', 'a', 'o2', 'active')")
    con.execute("INSERT INTO orgs VALUES ('t', 'a', 'o3', 'tobedeleted')")
    for table in quiet_rows.TABLES:
        con.execute(
            f"CREATE TEMP TABLE stage_{table} (sourced_id VARCHAR, _ok BOOLEAN, _memo_live BOOLEAN)"
        )
    con.execute("INSERT INTO stage_orgs VALUES ('o1', true, false), ('o9', false, false)")
    quiet_rows.reset(con)
    quiet_rows.measure(con)
    quiet_rows.create_next_views(con)
    assert con.execute("SELECT sourced_id FROM next_orgs").fetchall() == [("o1",)]
    con.execute(
        "CREATE TEMP TABLE recognised AS SELECT * FROM (VALUES ('o2', 'orgs.csv', 1, 1, true), "
        "('o1', 'orgs.csv', 2, 2, false)) r(sourced_id, _file, h1, h2, _memo_live)"
    )

    quiet_rows.reset(con)
    quiet_rows.keep_out(con, "orgs", "recognised")
    quiet_rows.measure(con)
    quiet_rows.create_next_views(con)
    rows = con.execute("SELECT sourced_id, _ok FROM next_orgs ORDER BY 1").fetchall()
    # o2, quiet, and o3, deactivated and no longer listed, are their live records
    assert rows == [("o1", True), ("o2", True), ("o3", True)]
    assert (quiet_rows.count(con, "orgs"), quiet_rows.left_out(con, "orgs")) == (1, 2)
    assert con.execute("SELECT * FROM quiet_orgs").fetchall() == [("o2", "orgs.csv", 1, 1)]
