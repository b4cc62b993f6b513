"""Rows recognised from the last batch (the row memo) record exactly what reading them records."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl
import pytest

from roster_pipeline.devtools.generate import write
from roster_pipeline.resolve.row_memo import memo_path
from roster_pipeline.sync.outcome import SyncOutcome
from roster_pipeline.sync.restore_version import restore
from roster_pipeline.sync.run import sync_folder
from roster_pipeline.sync.settings import SyncSettings
from roster_pipeline.warehouse import Warehouse
from roster_pipeline_tests.conftest import CONFORMANCE, write_batch
from roster_pipeline_tests.sync.test_daily_sequence import days
from roster_pipeline_tests.sync.test_resend import CONFORMANCE_SETS, SETTINGS, assert_same_syncs

ORGS = "sourcedId,name,type\ndistrict,District,district\nsch,North High,school\n"
HEADER = "sourcedId,orgSourcedIds,role,givenName,familyName,email,sms,agentSourcedIds\n"
ANA = "s1,sch,student,Ana,Lee,ana@school.org,,g1\n"
BEN = "s2,sch,student,Ben,Lee,ben@school.org,,g1\n"
CY = "s3,sch,student,Cy,Lee,cy@school.org,,\n"
GUARDIAN = "g1,sch,parent,Carla,Lee,carla@example.org,(415) 555-2671,\n"
TEACHER = "t1,sch,teacher,Eve,Lee,eve@school.org,,\n"
CLASSES = "sourcedId,title,schoolSourcedId\nc1,Algebra,sch\nc2,Biology,sch\n"
ENROLLMENTS = (
    "classSourcedId,schoolSourcedId,userSourcedId,role\n"
    "c1,sch,s1,student\nc1,sch,s2,student\nc2,sch,s3,student\nc1,sch,t1,teacher\n"
)
OTHERS = 2 + 2 + 4
"""The rows of orgs, classes and enrollments: recognised on a day they are sent again."""
NOT_CY = 1
"""Cy's enrollment, recognised but rejected on a day whose users file does not list Cy."""


def _batch(folder: Path, users: str, **files: str) -> Path:
    names = {"orgs": ORGS, "classes": CLASSES, "enrollments": ENROLLMENTS} | files
    return write_batch(folder, {"users.csv": users} | {f"{k}.csv": v for k, v in names.items()})


def _users(*rows: str, header: str = HEADER) -> str:
    return header + "".join(rows)


Step = Callable[[Warehouse, bool], SyncOutcome]
"""One run against a warehouse, with the row memo (True) or reading every row (False)."""


def _apply(batch: Path, settings: SyncSettings, mode: str = "apply") -> Step:
    def step(store: Warehouse, remember: bool) -> SyncOutcome:
        return sync_folder(
            batch, store, settings, mode=mode, carry_over=False, remember_rows=remember
        )

    return step


def _both_ways(
    batches: list[Path | Step], settings: SyncSettings, tmp: Path
) -> tuple[list[SyncOutcome], list[SyncOutcome]]:
    """Every batch read in full into one file, and with the row memo into another; the two
    files, and every run's counts, files and findings, must be the same. A step that is not a
    batch's folder is run as it is (a preview, a restore, other settings)."""
    full_db, memo_db = tmp / "full.duckdb", tmp / "memo.duckdb"
    steps = [b if callable(b) else _apply(b, settings) for b in batches]
    full = [step(Warehouse(full_db), False) for step in steps]
    memo = [step(Warehouse(memo_db), True) for step in steps]
    assert_same_syncs(full_db, full, memo_db, memo)
    assert all(o.rows_recognised == o.records_not_compared == 0 for o in full)
    # records known to stay as they are: at most every live record
    assert all(o.records_not_compared <= sum(o.table_rows.values()) for o in memo)
    assert not memo_path(full_db).exists()
    return full, memo


@pytest.mark.parametrize("settings", SETTINGS.values(), ids=SETTINGS.keys())
def test_three_days_with_the_memo_match_reading_every_row(settings, tmp_path):
    folders = []
    for n, files in enumerate(days(), start=1):
        folders.append(tmp_path / "drop" / f"day{n}")
        write(files, folders[-1])
    full, memo = _both_ways(folders, settings, tmp_path)
    assert memo[0].rows_recognised == 0
    read = [sum(full[n].files["rows_read"]) for n in (1, 2)]
    # most of a day's rows are the day before's; the changed ones (and their findings) are read
    assert all(0.8 * r < o.rows_recognised < r for r, o in zip(read, memo[1:], strict=True))
    # and most of those are their live records, as the memo knows: not compared again
    assert all(0.7 * r < o.records_not_compared for r, o in zip(read, memo[1:], strict=True))


def test_findings_of_rows_read_again_keep_their_new_lines(tmp_path):
    """A row with an error and one with a notice are read again on every day; a row inserted
    above them moves every line, and the findings name the new lines."""
    bad = "s4,sch,student,Di,Lee,not-an-email,,\n"
    noted = "s5,sch,student,Ed,Lee,ed@school.org,12,\n"  # the mobile left blank: a warning
    mon = _batch(tmp_path / "drop" / "mon", _users(ANA, BEN, bad, noted, GUARDIAN, TEACHER))
    new = "s0,sch,student,Al,Lee,al@school.org,,\n"
    tue = _batch(tmp_path / "drop" / "tue", _users(new, ANA, BEN, bad, noted, GUARDIAN, TEACHER))
    full, memo = _both_ways([mon, tue], SETTINGS["defaults"], tmp_path)
    on_monday = full[0].findings.filter(pl.col("file") == "users.csv")
    on_tuesday = memo[1].findings.filter(pl.col("file") == "users.csv")
    assert on_monday["line"].sort().to_list() == [4, 5]
    assert sorted(on_tuesday["line"]) == sorted(n + 1 for n in on_monday["line"])
    # Ana, Ben, the guardian and the teacher are recognised; everything in the other files too
    assert memo[1].rows_recognised == 4 + OTHERS


def test_a_new_row_with_a_recognised_rows_id_is_a_duplicate_on_both_lines(tmp_path):
    mon = _batch(tmp_path / "drop" / "mon", _users(ANA, BEN, GUARDIAN, TEACHER))
    again = "s1,sch,student,Anna,Lee,anna@school.org,,g1\n"  # Ana's id on a new line
    tue = _batch(tmp_path / "drop" / "tue", _users(ANA, BEN, GUARDIAN, TEACHER, again))
    _, memo = _both_ways([mon, tue], SETTINGS["defaults"], tmp_path)
    duplicate = memo[1].findings.filter(pl.col("code").str.contains("DUPLICATE"))
    assert sorted(duplicate["line"]) == [2, 6]
    assert memo[1].rows_recognised == 0  # that batch was read in full


def test_a_recognised_line_sent_twice_is_not_recognised(tmp_path):
    mon = _batch(tmp_path / "drop" / "mon", _users(ANA, BEN, GUARDIAN, TEACHER))
    tue = _batch(tmp_path / "drop" / "tue", _users(ANA, BEN, GUARDIAN, TEACHER, BEN))
    _, memo = _both_ways([mon, tue], SETTINGS["defaults"], tmp_path)
    duplicate = memo[1].findings.filter(pl.col("code").str.contains("DUPLICATE"))
    assert sorted(duplicate["line"]) == [3, 6]
    assert memo[1].rows_recognised == 3 + OTHERS  # Ben's two copies are read


def test_a_referenced_record_that_changed_is_checked_again(tmp_path):
    """The users and enrollments are recognised; a class gone and the school renamed change
    what they refer to, and the references are checked as in a full read."""
    mon = _batch(tmp_path / "drop" / "mon", _users(ANA, BEN, CY, GUARDIAN, TEACHER))
    tue = _batch(
        tmp_path / "drop" / "tue",
        _users(ANA, BEN, CY, GUARDIAN, TEACHER),
        classes="sourcedId,title,schoolSourcedId\nc1,Algebra,sch\n",
        orgs=ORGS.replace("North High", "North High School"),
    )
    _, memo = _both_ways([mon, tue], SETTINGS["defaults"], tmp_path)
    assert memo[1].rows_recognised == 5 + 1 + 1 + 4  # users, the district, c1, enrollments
    missing = memo[1].findings.filter(pl.col("file") == "enrollments.csv")
    assert missing["line"].to_list() == [4]  # Cy's enrollment in the class gone
    assert memo[1].counts.totals().get("updated", 0) >= 1  # the school


def test_another_header_or_region_reads_every_row(tmp_path):
    mon = _batch(tmp_path / "drop" / "mon", _users(ANA, BEN, GUARDIAN, TEACHER))
    swapped = "sourcedId,role,orgSourcedIds,givenName,familyName,email,sms,agentSourcedIds\n"
    rows = [r.split(",") for r in (ANA, BEN, GUARDIAN, TEACHER)]
    reordered = "".join(",".join([r[0], r[2], r[1], *r[3:]]) for r in rows)
    tue = _batch(tmp_path / "drop" / "tue", swapped + reordered)
    wed = _batch(tmp_path / "drop" / "wed", swapped + reordered)
    _, memo = _both_ways([mon, tue, wed], SETTINGS["defaults"], tmp_path)
    assert memo[1].rows_recognised == OTHERS  # not the users: their header changed
    assert memo[2].rows_recognised == 4 + OTHERS
    other = SyncSettings(tenant_id="t", region="GB")
    db = tmp_path / "memo.duckdb"
    thu = sync_folder(_batch(tmp_path / "drop" / "thu", swapped + reordered), Warehouse(db), other)
    assert thu.rows_recognised == 0  # phones read in another region: nothing is recognised


def test_a_file_with_a_password_column_is_never_remembered(tmp_path):
    header = HEADER.replace("\n", ",password\n")
    users = _users(*(r.replace("\n", ",secret\n") for r in (ANA, BEN, GUARDIAN)), header=header)
    mon = _batch(tmp_path / "drop" / "mon", users)
    tue = _batch(tmp_path / "drop" / "tue", users)
    _, memo = _both_ways([mon, tue], SETTINGS["defaults"], tmp_path)
    assert memo[1].rows_recognised == OTHERS  # the users are read again
    held = b"".join(p.read_bytes() for p in memo_path(tmp_path / "memo.duckdb").rglob("*.parquet"))
    assert b"secret" not in held and b"ana@school.org" not in held  # the users have no memo


def test_a_zipped_batch_and_a_bulk_manifest_with_statuses(tmp_path):
    manifest = (
        "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\n"
        "file.users,bulk\nfile.orgs,bulk\nfile.classes,bulk\nfile.enrollments,bulk\n"
    )
    header = HEADER.replace("\n", ",status\n")
    users = _users(ANA.replace("\n", ",active\n"), BEN.replace("\n", ",\n"), header=header)
    users += GUARDIAN.replace("\n", ",active\n") + TEACHER.replace("\n", ",\n")
    drop = tmp_path / "drop"
    folders = [_batch(drop / day, users, manifest=manifest) for day in ("mon", "tue")]
    archive = drop / "tue.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(folders[1].iterdir()):
            out.write(path, path.name)
    shutil.rmtree(folders[1])
    _, memo = _both_ways([folders[0], archive], SETTINGS["defaults"], tmp_path)
    conflict = memo[1].findings.filter(pl.col("file") == "users.csv", pl.col("line").is_null())
    assert "bulk, but 2 rows carry a status" in conflict["message"].item()
    assert memo[1].rows_recognised == 4 + OTHERS


def test_a_damaged_or_missing_memo_reads_every_row(tmp_path):
    days_ = [_batch(tmp_path / "drop" / d, _users(ANA, BEN, GUARDIAN, TEACHER)) for d in "abcd"]
    db = tmp_path / "memo.duckdb"
    store, settings = Warehouse(db), SETTINGS["defaults"]
    first = sync_folder(days_[0], store, settings, carry_over=False)
    assert first.status == "applied"
    parts = sorted(memo_path(db).rglob("*.parquet"))
    assert parts
    for part in parts:
        part.write_bytes(b"not parquet")
    damaged = sync_folder(days_[1], store, settings, carry_over=False)
    assert (damaged.status, damaged.rows_recognised) == ("applied", 0)
    assert sync_folder(days_[2], store, settings, carry_over=False).rows_recognised == 4 + OTHERS
    shutil.rmtree(memo_path(db))
    missing = sync_folder(days_[3], store, settings, carry_over=False)
    assert (missing.status, missing.rows_recognised) == ("applied", 0)
    assert missing.counts.totals().keys() == {"unchanged"}


@pytest.mark.skipif(not CONFORMANCE.is_dir(), reason=f"conformance sets not at {CONFORMANCE}")
@pytest.mark.parametrize("name", CONFORMANCE_SETS)
def test_conformance_sets_with_an_edited_day_two_match_reading_every_row(name, tmp_path):
    first = tmp_path / "drop" / "first"
    shutil.copytree(CONFORMANCE / name, first, ignore=shutil.ignore_patterns("*.md"))
    second = tmp_path / "drop" / "second"
    shutil.copytree(first, second)
    users = next(p for p in second.iterdir() if p.name.lower() == "users.csv")
    lines = users.read_bytes().splitlines(keepends=True)
    users.write_bytes(b"".join([lines[0], *lines[2:], lines[1].replace(b"@", b".new@", 1)]))
    full, memo = _both_ways([first, second], SETTINGS["defaults"], tmp_path)
    read = int(full[1].files["rows_read"].sum())
    assert 0 < memo[1].rows_recognised < read  # the edited users (and rows with findings) read


def test_a_month_of_days_with_rows_leaving_and_coming_back(tmp_path, monkeypatch):
    """Each day renames one student and drops or brings back another: the memo grows a part a
    day, is written again as one when there are too many, and still matches a full read."""
    from roster_pipeline.resolve import memo_parts

    monkeypatch.setattr(memo_parts, "MAX_PARTS", 4)
    students = [f"s{n},sch,student,Kid{n},Lee,kid{n}@school.org,,\n" for n in range(1, 9)]
    folders = []
    for day in range(10):
        rows = [r.replace(f"Kid{day % 8 + 1},", f"Kid{day % 8 + 1}-{day},") for r in students]
        if day % 2:
            rows.pop(day % 8)  # gone today, back tomorrow
        folders.append(_batch(tmp_path / "drop" / f"day{day:02}", _users(*rows, TEACHER)))
    _, memo = _both_ways(folders, SETTINGS["defaults"], tmp_path)
    parts = list(memo_path(tmp_path / "memo.duckdb").glob("users-*/*.parquet"))
    assert 1 <= len([p for p in parts if p.name.startswith("rows-")]) <= 4
    users = [o.rows_recognised - OTHERS for o in memo[1:]]
    # of 8 or 9 users a day: the one renamed today and yesterday's (back to its name) are read,
    # and a student back after a day away (forgotten while away)
    assert users == [7, 7, 6, 7, 7, 6, 5, 7, 7]


def test_rows_that_leave_on_days_adding_none_are_not_known_when_they_come_back(tmp_path):
    """Two days in a row a class leaves and none arrives (each day a part of gone rows and no
    part of new ones); when both come back, their rows are read, and the classes unarchived."""
    more = [f"c{n},Elective {n},sch\n" for n in range(3, 11)]
    users = _users(ANA, BEN, GUARDIAN, TEACHER)
    days = [
        _batch(tmp_path / "drop" / day, users, classes=CLASSES + "".join(more[:kept]))
        for day, kept in (("mon", 8), ("tue", 7), ("wed", 6), ("thu", 8))
    ]
    full, memo = _both_ways(days, SETTINGS["defaults"], tmp_path)
    assert full[3].counts.n("classes", "unarchived") == 2
    assert memo[3].rows_recognised == 4 + 2 + 8 + 4  # all but the two classes back
    parts = memo_path(tmp_path / "memo.duckdb").glob("classes-*/gone-*.parquet")
    assert len(list(parts)) == 2  # the memo was not written again as one part


def test_a_contact_change_refused_yesterday_is_refused_again(tmp_path):
    """With contact updates off, Ana's new email is refused: her live record keeps the old one,
    so her row, recognised the next day, is compared again and refused again."""
    new_email = ANA.replace("ana@", "ana.lee@")
    mon = _batch(tmp_path / "drop" / "mon", _users(ANA, BEN, GUARDIAN, TEACHER))
    tue = _batch(tmp_path / "drop" / "tue", _users(new_email, BEN, GUARDIAN, TEACHER))
    wed = _batch(tmp_path / "drop" / "wed", _users(new_email, BEN, GUARDIAN, TEACHER))
    _, memo = _both_ways([mon, tue, wed], SETTINGS["defaults"], tmp_path)
    assert [o.counts.n("users", "skipped") for o in memo] == [0, 1, 1]
    assert memo[2].rows_recognised == 4 + OTHERS
    assert memo[2].records_not_compared == 4 + OTHERS - 1 - NOT_CY  # all but Ana


def test_rows_read_by_a_preview_are_compared_when_applied(tmp_path):
    """A preview applies nothing: the rows it read are remembered, but not as live records."""
    renamed = BEN.replace("Ben,", "Benjamin,")
    settings = SETTINGS["defaults"]
    mon = _batch(tmp_path / "drop" / "mon", _users(ANA, BEN, GUARDIAN, TEACHER))
    tue = _batch(tmp_path / "drop" / "tue", _users(ANA, renamed, GUARDIAN, TEACHER))
    steps = [mon, _apply(tue, settings, mode="preview"), tue, tue]
    _, memo = _both_ways(steps, settings, tmp_path)
    assert memo[1].status == "previewed"
    assert [o.counts.n("users", "updated") for o in memo] == [0, 1, 1, 0]
    assert memo[2].rows_recognised == 4 + OTHERS  # Benjamin was read by the preview
    assert memo[2].records_not_compared == 3 + OTHERS - NOT_CY  # ... but is not live yet
    assert memo[3].records_not_compared == 4 + OTHERS - NOT_CY


def test_after_a_restore_every_row_is_compared(tmp_path):
    """A restore brings Monday's records back: Tuesday's rows, sent again, are not live."""
    renamed = BEN.replace("Ben,", "Benjamin,")
    settings = SETTINGS["defaults"]
    mon = _batch(tmp_path / "drop" / "mon", _users(ANA, BEN, GUARDIAN, TEACHER))
    tue = _batch(tmp_path / "drop" / "tue", _users(ANA, renamed, GUARDIAN, TEACHER))
    wed = _batch(tmp_path / "drop" / "wed", _users(ANA, renamed, GUARDIAN, TEACHER))

    def back_to_monday(store: Warehouse, remember: bool) -> SyncOutcome:
        with duckdb.connect(str(store.path), read_only=True) as con:
            (monday,) = con.execute("SELECT batch_id FROM batches ORDER BY received_at").fetchone()
        return restore(store, monday, settings)

    _, memo = _both_ways([mon, tue, back_to_monday, wed], settings, tmp_path)
    assert [o.counts.n("users", "updated") for o in memo] == [0, 1, 1, 1]
    assert memo[3].rows_recognised == 4 + OTHERS
    assert memo[3].records_not_compared == 0  # another live state: the memo vouches for none


def test_another_tenant_rewrites_every_table_and_keeps_each_records_batch(tmp_path):
    """Records not compared keep the batch that last changed them, in a whole-table rewrite."""
    settings = SETTINGS["defaults"]
    renamed = BEN.replace("Ben,", "Benjamin,")
    mon = _batch(tmp_path / "drop" / "mon", _users(ANA, BEN, GUARDIAN, TEACHER))
    tue = _batch(tmp_path / "drop" / "tue", _users(ANA, renamed, GUARDIAN, TEACHER))
    wed = _batch(tmp_path / "drop" / "wed", _users(ANA, renamed, GUARDIAN, TEACHER))
    other = SyncSettings(tenant_id="another")
    _, memo = _both_ways([mon, tue, _apply(wed, other)], settings, tmp_path)
    assert memo[2].records_not_compared == 4 + OTHERS - NOT_CY
    with duckdb.connect(str(tmp_path / "memo.duckdb"), read_only=True) as con:
        users = con.execute("SELECT sourced_id, split_part(batch_id, '-', 1) FROM users")
        batches = dict(users.fetchall())
        tenants = con.execute("SELECT DISTINCT tenant_id FROM users").fetchall()
    assert batches == {"s1": "mon", "s2": "tue", "g1": "mon", "t1": "mon"}
    assert tenants == [("another",)]


def test_a_run_that_fails_after_setting_its_rows_aside_leaves_the_memo_as_it_was(
    tmp_path, monkeypatch
):
    """A run writes its clean rows aside before its largest work and lets its frames go once
    staged; failing after that, it leaves the memo's parts as they were, and the next run
    takes no row from what was set aside."""
    from roster_pipeline.sync import changes

    db = tmp_path / "memo.duckdb"
    store, settings = Warehouse(db), SETTINGS["defaults"]
    first = _batch(tmp_path / "drop" / "mon", _users(ANA, BEN, GUARDIAN, TEACHER))
    assert sync_folder(first, store, settings, carry_over=False).status == "applied"
    parts = {p: p.read_bytes() for p in memo_path(db).rglob("*.parquet")}
    assert {p.name for p in parts} >= {"rows-1.parquet"}
    assert not any(p.name.startswith("aside-") for p in parts)  # renamed into place
    renamed = _batch(tmp_path / "drop" / "tue", _users(ANA, BEN.replace("Ben", "Bo"), TEACHER))
    plan = changes.plan
    staged: list[int] = []

    def failing(con, run_settings):
        staged.append(con.sql("SELECT count(*) FROM stage_users WHERE _ok").fetchall()[0][0])
        raise RuntimeError("the disk filled up")

    monkeypatch.setattr(changes, "plan", failing)
    with pytest.raises(RuntimeError):
        sync_folder(renamed, store, settings, carry_over=False)
    assert staged[0] > 0  # it failed after staging, with its rows set aside
    after = {p: p.read_bytes() for p in memo_path(db).rglob("*.parquet")}
    assert {p: b for p, b in after.items() if not p.name.startswith("aside-")} == parts
    assert any(p.name.startswith("aside-") for p in after)
    monkeypatch.setattr(changes, "plan", plan)
    _, memo = _both_ways([first, renamed], settings, tmp_path / "again")
    again = sync_folder(renamed, store, settings, carry_over=False)
    assert (again.status, again.rows_recognised) == ("applied", memo[1].rows_recognised)
    assert again.counts.n("users", "updated") == 1 and again.counts.n("users", "deactivated") == 1
    assert not any(p.name.startswith("aside-") for p in memo_path(db).rglob("*.parquet"))


def test_a_staged_batch_lets_its_frames_go(tmp_path):
    from roster_pipeline.resolve.apply_batch import stage_batch
    from roster_pipeline.resolve.row_memo import read_validated

    batch = _batch(tmp_path / "drop" / "mon", _users(ANA, BEN, GUARDIAN, TEACHER))
    with duckdb.connect() as con:
        validated = read_validated(con, batch, "US", None, None, None)
        assert validated.files["users"].frame.height == 4
        stage_batch(con, validated.batch, validated.files, release_frames=True)
        assert con.sql("SELECT count(*) FROM stage_users WHERE _ok").fetchall() == [(4,)]
    assert {vf.frame.height for vf in validated.files.values()} == {0}
    assert {vf.hashes.height for vf in validated.files.values() if vf.hashes is not None} == {0}
