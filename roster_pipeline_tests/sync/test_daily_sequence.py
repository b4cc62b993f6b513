"""Three days of a generated district: exact change sets under every settings combination."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from roster_pipeline.devtools.generate import generate, write
from roster_pipeline.sync import changes
from roster_pipeline.sync.run import sync_folder
from roster_pipeline.sync.settings import SyncSettings
from roster_pipeline.warehouse import Warehouse

DEPARTED = ["0000010", "0000011", "0000012"]
RETURNING = ["0000010"]
GONE_CLASSES = ["cls0000003", "cls0000004"]
BACK_CLASSES = ["cls0000003"]
ARRIVALS = ["0009001", "0009002"]


def _not_in(frame: pl.DataFrame, column: str, ids: list[str]) -> pl.DataFrame:
    return frame.filter(~pl.col(column).is_in(ids))


def days() -> list[dict[str, pl.DataFrame]]:
    """Day 1 as generated; day 2 with arrivals, departures, contact changes, classes gone;
    day 3 with one student and one class back."""
    day1 = generate(200)
    users, enrollments = day1["users"], day1["enrollments"]
    guardians = users.filter(pl.col("role") == "parent")["sourcedId"].head(2).to_list()
    teacher = users.filter(pl.col("role") == "teacher")["sourcedId"][0]
    template = users.filter(pl.col("sourcedId") == "0000001")
    arrivals = pl.concat([template] * len(ARRIVALS)).with_columns(sourcedId=pl.Series(ARRIVALS))
    arrival_enrollments = pl.DataFrame(
        {
            "sourcedId": ["e9001", "e9002"],
            "classSourcedId": ["cls0000001", "cls0000001"],
            "schoolSourcedId": ["sch001", "sch001"],
            "userSourcedId": ARRIVALS,
            "role": ["student", "student"],
        }
    )
    day2_users = pl.concat([_not_in(users, "sourcedId", DEPARTED), arrivals]).with_columns(
        sms=pl.when(pl.col("sourcedId").is_in(guardians))
        .then(pl.lit("(617) 555-0199"))
        .otherwise(pl.col("sms")),
        email=pl.when(pl.col("sourcedId") == teacher)
        .then(pl.lit("new.address@school.org"))
        .otherwise(pl.col("email")),
    )
    day2_enrollments = pl.concat(
        [
            _not_in(
                _not_in(enrollments, "userSourcedId", DEPARTED), "classSourcedId", GONE_CLASSES
            ),
            arrival_enrollments,
        ]
    )
    day2 = {
        **day1,
        "users": day2_users,
        "classes": _not_in(day1["classes"], "sourcedId", GONE_CLASSES),
        "enrollments": day2_enrollments,
    }
    back_users = users.filter(pl.col("sourcedId").is_in(RETURNING))
    back_enrollments = enrollments.filter(
        pl.col("classSourcedId").is_in(BACK_CLASSES) & ~pl.col("userSourcedId").is_in(DEPARTED)
    )
    day3 = {
        **day2,
        "users": pl.concat([day2_users, back_users]),
        "classes": pl.concat(
            [day2["classes"], day1["classes"].filter(pl.col("sourcedId").is_in(BACK_CLASSES))]
        ),
        "enrollments": pl.concat([day2_enrollments, back_enrollments]),
    }
    return [day1, day2, day3]


def changed(db: Path, batch_id: str, entity: str, change: str, field: str | None = None) -> set:
    """The ids ``change_log`` records for one batch, entity and change (and field)."""
    sql = "SELECT sourced_id FROM change_log WHERE batch_id = ? AND entity = ? AND change = ?" + (
        " AND field = ?" if field else ""
    )
    params = [batch_id, entity, change] + ([field] if field else [])
    with duckdb.connect(str(db), read_only=True) as con:
        return {r[0] for r in con.execute(sql, params).fetchall()}


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("days")
    out = []
    for n, files in enumerate(days(), start=1):
        write(files, root / f"day{n}")
        out.append(root / f"day{n}")
    return out


@pytest.mark.parametrize("unarchive", [True, False])
@pytest.mark.parametrize("contacts", [True, False])
@pytest.mark.parametrize("guardians", [True, False])
def test_three_days_give_exact_change_sets(folders, tmp_path, unarchive, contacts, guardians):
    day1, day2, day3 = days()
    db = tmp_path / "r.duckdb"
    store = Warehouse(db)
    settings = SyncSettings(
        unarchive_classes=unarchive, update_active_contacts=contacts, manage_guardians=guardians
    )
    outcomes = [sync_folder(folder, store, settings) for folder in folders]
    assert [o.status for o in outcomes] == ["applied"] * 3
    b1, b2, b3 = (o.batch_id for o in outcomes)

    assert changed(db, b1, "users", "created") == set(day1["users"]["sourcedId"])
    # day 2: arrivals, departures, contacts, classes gone (archived) with their enrollments
    assert changed(db, b2, "users", "created") == set(ARRIVALS)
    assert changed(db, b2, "users", "deactivated") == set(DEPARTED)
    contact_ids = {
        row[0]
        for row in day2["users"]
        .join(day1["users"], on="sourcedId", suffix="_1")
        .filter((pl.col("sms") != pl.col("sms_1")) | (pl.col("email") != pl.col("email_1")))
        .iter_rows()
    }
    assert len(contact_ids) == 3
    assert changed(db, b2, "users", "updated") == (contact_ids if contacts else set())
    assert changed(db, b2, "classes", "archived") == set(GONE_CLASSES)
    gone = set(day1["enrollments"]["sourcedId"]) - set(day2["enrollments"]["sourcedId"])
    assert changed(db, b2, "enrollments", "deactivated") == gone
    assert changed(db, b2, "enrollments", "created") == {"e9001", "e9002"}
    # day 3: one student reactivated; one class back (or kept archived), its enrollments back
    assert changed(db, b3, "users", "reactivated") == set(RETURNING)
    assert changed(db, b3, "classes", "unarchived") == (set(BACK_CLASSES) if unarchive else set())
    back = set(day3["enrollments"]["sourcedId"]) - set(day2["enrollments"]["sourcedId"])
    in_back_classes = set(
        day3["enrollments"].filter(pl.col("classSourcedId").is_in(BACK_CLASSES))["sourcedId"]
    )
    # archived means closed: a class kept archived keeps its enrollments inactive
    closed = set() if unarchive else back & in_back_classes
    assert closed or unarchive
    assert changed(db, b3, "enrollments", "reactivated") == back - closed
    assert not changed(db, b3, "users", "updated")
    # guardian links: the arrivals' (copied from student 0000001) when the sync manages guardians
    agents = day1["users"].filter(pl.col("sourcedId") == "0000001")["agentSourcedIds"][0]
    arrival_links = {f"{s}/{g}" for s in ARRIVALS for g in agents.split(",")}
    assert changed(db, b2, "guardian_links", "created") == (arrival_links if guardians else set())
    assert bool(changed(db, b1, "guardian_links", "created")) is guardians

    with duckdb.connect(str(db), read_only=True) as con:
        status = dict(con.execute("SELECT sourced_id, status FROM classes").fetchall())
        assert status["cls0000003"] == ("active" if unarchive else "tobedeleted")
        assert status["cls0000004"] == "tobedeleted"
        users = dict(con.execute("SELECT sourced_id, status FROM users").fetchall())
        assert [users[i] for i in DEPARTED] == ["active", "tobedeleted", "tobedeleted"]
        # nothing was hard-deleted: every id ever seen is still there
        seen = set(day1["users"]["sourcedId"]) | set(ARRIVALS)
        assert set(users) == seen
        kept = con.execute(
            "SELECT count(*) FROM sync_plan WHERE batch_id = ? AND NOT applied", [b2]
        ).fetchall()[0][0]
        assert kept == (0 if contacts else 3)
        skipped = con.execute(
            "SELECT note FROM sync_plan WHERE batch_id = ? AND entity = 'classes'", [b3]
        ).fetchall()
        assert skipped == (
            [] if unarchive else [("kept archived: 'Unarchive classrooms that reappear' is off",)]
        )
        held_back = con.execute(
            "SELECT sourced_id, note FROM sync_plan WHERE batch_id = ? "
            "AND entity = 'enrollments' AND NOT applied",
            [b3],
        ).fetchall()
        assert {i for i, _ in held_back} == closed
        assert {n for _, n in held_back} <= {changes.KEPT_CLOSED}
        in_archived = con.execute(
            "SELECT count(*) FROM enrollments e JOIN classes c ON c.sourced_id = "
            "e.class_sourced_id WHERE e.status = 'active' AND c.status = 'tobedeleted'"
        ).fetchall()[0][0]
        assert in_archived == 0
        warned = con.execute(
            "SELECT sourced_id FROM findings WHERE batch_id = ? AND code = 'ENR_CLASS_ARCHIVED'",
            [b3],
        ).fetchall()
        # a file row enrolling into a class kept archived is told so
        assert {w for (w,) in warned} == (set() if unarchive else in_back_classes)
        for entity in ("users", "classes", "enrollments"):  # counts agree with change_log
            live = con.execute(f"SELECT count(*) FROM {entity}").fetchall()[0][0]
            for outcome in outcomes[1:]:  # days 2 and 3 list every record there is
                logged = con.execute(
                    "SELECT count(DISTINCT sourced_id) FROM change_log WHERE batch_id = ? "
                    "AND entity = ?",
                    [outcome.batch_id, entity],
                ).fetchall()[0][0]
                assert outcome.counts.n(entity, "unchanged") == live - logged
            for outcome in outcomes:
                created = changed(db, outcome.batch_id, entity, "created")
                assert outcome.counts.n(entity, "created") == len(created)
        runs = con.execute(
            "SELECT status, created, deactivated, archived FROM sync_runs ORDER BY started_at"
        ).fetchall()
        assert [r[0] for r in runs] == ["applied"] * 3
        assert runs[1][3] == len(GONE_CLASSES)


def test_the_same_batch_applied_twice_changes_nothing_the_second_time(folders, tmp_path):
    store = Warehouse(tmp_path / "r.duckdb")
    sync_folder(folders[0], store, SyncSettings())
    again = sync_folder(folders[0], store, SyncSettings())
    assert again.status == "applied"
    assert set(again.counts.counts["change"]) == {"unchanged"}


def test_preview_writes_nothing_live_and_apply_gives_its_plan(folders, tmp_path):
    db = tmp_path / "r.duckdb"
    store = Warehouse(db)
    sync_folder(folders[0], store, SyncSettings())
    with duckdb.connect(str(db), read_only=True) as con:
        before = con.execute("SELECT * FROM users ORDER BY sourced_id").fetchall()
    preview = sync_folder(folders[1], store, SyncSettings(), mode="preview")
    assert preview.status == "previewed"
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT * FROM users ORDER BY sourced_id").fetchall() == before
        planned = con.execute(
            "SELECT entity, sourced_id, change, field FROM sync_plan WHERE applied ORDER BY ALL"
        ).fetchall()
        assert con.execute(
            "SELECT count(*) FROM change_log WHERE batch_id = ?", [preview.batch_id]
        ).fetchall() == [(0,)]
    applied = sync_folder(folders[1], store, SyncSettings())
    assert applied.counts.counts.equals(preview.counts.counts)
    with duckdb.connect(str(db), read_only=True) as con:
        logged = con.execute(
            "SELECT entity, sourced_id, change, field FROM change_log WHERE batch_id = ? "
            "ORDER BY ALL",
            [applied.batch_id],
        ).fetchall()
    assert logged == planned


def test_staff_permissions_follow_the_settings_and_tenant_ids_are_on_every_row(folders, tmp_path):
    db = tmp_path / "r.duckdb"
    settings = SyncSettings(
        tenant_id="tn-42",
        application_id="app-7",
        administrator_permissions=("Permissions Admin", "Users Manager"),
        teacher_permissions=("Family Access",),
    )
    sync_folder(folders[0], Warehouse(db), settings)
    teachers = set(days()[0]["users"].filter(pl.col("role") == "teacher")["sourcedId"])
    with duckdb.connect(str(db), read_only=True) as con:
        granted = con.execute(
            "SELECT role, permission, count(*) FROM staff_permissions GROUP BY ALL ORDER BY ALL"
        ).fetchall()
        assert granted == [("teacher", "Family Access", len(teachers))]
        for table in (
            "users",
            "classes",
            "enrollments",
            "student_guardians",
            "staff_permissions",
            "batches",
            "sync_runs",
            "change_log",
        ):
            ids = con.execute(f"SELECT DISTINCT tenant_id, application_id FROM {table}").fetchall()
            assert ids == [("tn-42", "app-7")], table
    with pytest.raises(ValueError, match="unknown staff permissions"):
        SyncSettings(teacher_permissions=("Superpowers",))


def test_a_run_that_fails_is_recorded_and_changes_nothing(folders, tmp_path, monkeypatch):
    from roster_pipeline.sync import history

    db = tmp_path / "r.duckdb"
    sync_folder(folders[0], Warehouse(db), SyncSettings())
    with duckdb.connect(str(db), read_only=True) as con:
        before = con.execute("SELECT * FROM users ORDER BY sourced_id").fetchall()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(history, "commit_version", broken)
    with pytest.raises(OSError):
        sync_folder(folders[1], Warehouse(db), SyncSettings())
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT * FROM users ORDER BY sourced_id").fetchall() == before
        runs = con.execute("SELECT status, reason FROM sync_runs ORDER BY started_at").fetchall()
    assert [r[0] for r in runs] == ["applied", "failed"]
    assert "disk full" not in runs[1][1]  # a message may hold data: the log has it, not the table


def test_guardian_links_keep_the_batch_that_made_them(folders, tmp_path):
    db = tmp_path / "r.duckdb"
    store = Warehouse(db)
    b1, b2 = (sync_folder(folder, store, SyncSettings()).batch_id for folder in folders[:2])
    with duckdb.connect(str(db), read_only=True) as con:
        batches = dict(
            con.execute(
                "SELECT student_sourced_id, list(DISTINCT batch_id) FROM student_guardians "
                "WHERE source = 'roster' GROUP BY ALL"
            ).fetchall()
        )
    assert {s: b for s, b in batches.items() if s in ARRIVALS} == {s: [b2] for s in ARRIVALS}
    # a departed student's links ended with day 2 (deactivated, so they carry its batch)
    assert {s: b for s, b in batches.items() if s in DEPARTED} == {s: [b2] for s in DEPARTED}
    others = {tuple(b) for s, b in batches.items() if s not in ARRIVALS + DEPARTED}
    assert others == {(b1,)}
    # a new tenant identity rewrites every roster link under it
    sync_folder(folders[1], store, SyncSettings(tenant_id="another-district"))
    with duckdb.connect(str(db), read_only=True) as con:
        tenants = con.execute("SELECT DISTINCT tenant_id FROM student_guardians").fetchall()
    assert tenants == [("another-district",)]
