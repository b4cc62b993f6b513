"""A school-year rollover: held with what it looks like, or applied when approved in advance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from roster_pipeline.sync.run import sync_folder
from roster_pipeline.sync.settings import SyncSettings
from roster_pipeline.warehouse import Warehouse
from roster_pipeline_tests.conftest import write_batch

ORGS = "sourcedId,name,type\nd1,District,district\nsch1,North High,school\n"
STUDENTS = 40


def year(folder: Path, start: int, students: int = STUDENTS) -> Path:
    """One school's export for the school year starting in ``start`` (30 classes)."""
    sessions = "sourcedId,title,type,startDate,endDate\n" + "".join(
        f"y{y},{y}-{y + 1},schoolYear,{y}-08-15,{y + 1}-06-15\n" for y in range(2025, start + 1)
    )
    classes = "sourcedId,title,schoolSourcedId,termSourcedIds\n" + "".join(
        f"c{start}-{i:02d},Class {i},sch1,y{start}\n" for i in range(30)
    )
    users = "sourcedId,orgSourcedIds,role,givenName,familyName,email\n" + "".join(
        f"s{i:03d},sch1,student,S,{i},s{i}@school.org\n" for i in range(students)
    )
    enrollments = "classSourcedId,schoolSourcedId,userSourcedId,role\n" + "".join(
        f"c{start}-{i % 30:02d},sch1,s{i:03d},student\n" for i in range(students)
    )
    return write_batch(
        folder,
        {
            "orgs.csv": ORGS,
            "academicSessions.csv": sessions,
            "classes.csv": classes,
            "users.csv": users,
            "enrollments.csv": enrollments,
        },
    )


def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def window(days: int) -> str:
    """A rollover window around today (``days`` > 0) or one that ended (``days`` < 0)."""
    today = datetime.now(UTC).date()
    if days > 0:
        return f"{today - timedelta(days=days):%Y-%m-%d}..{today + timedelta(days=days):%Y-%m-%d}"
    return f"{today + timedelta(days=days - 30):%Y-%m-%d}..{today + timedelta(days=days):%Y-%m-%d}"


def test_a_rollover_is_held_and_says_what_it_looks_like(tmp_path):
    db = tmp_path / "r.duckdb"
    store = Warehouse(db)
    assert sync_folder(year(tmp_path / "june", 2025), store, SyncSettings()).status == "applied"
    held = sync_folder(
        year(tmp_path / "august", 2026), store, SyncSettings(rollover_window=window(-5))
    )
    assert held.status == "held"
    assert held.reasons[0] == (
        "School-year rollover: 2025-2026 ends, 30 classes archived; 2026-2027 starts, "
        "30 classes created."
    )
    assert any(r.startswith("classes: 30 of 30") for r in held.reasons[1:])
    planned = rows(
        db,
        "SELECT sourced_id, change FROM sync_plan WHERE batch_id = ? AND entity = "
        "'academic_sessions'",
        [held.batch_id],
    )
    assert planned == [("y2026", "created")]  # the plan lists the sessions
    assert rows(db, "SELECT count(*) FROM classes WHERE status = 'active'") == [(30,)]


def test_a_rollover_approved_in_advance_is_applied_within_its_window(tmp_path):
    db = tmp_path / "r.duckdb"
    store = Warehouse(db)
    settings = SyncSettings(rollover_window=f"01-01..01-01, {window(3)}")
    sync_folder(year(tmp_path / "june", 2025), store, settings)
    applied = sync_folder(year(tmp_path / "august", 2026), store, settings)
    assert applied.status == "applied"
    assert rows(db, "SELECT status, reason FROM sync_runs ORDER BY started_at")[-1][1].endswith(
        f"Applied: rollovers are approved in advance ({window(3)})."
    )
    assert rows(db, "SELECT status, count(*) FROM classes GROUP BY 1 ORDER BY 1") == [
        ("active", 30),
        ("tobedeleted", 30),
    ]
    # archived means closed: last year's enrollments ended with their classes
    assert rows(
        db,
        "SELECT count(*) FROM enrollments e JOIN classes c ON c.sourced_id = e.class_sourced_id "
        "WHERE e.status = 'active' AND c.status = 'tobedeleted'",
    ) == [(0,)]


def test_a_truncated_file_is_held_even_in_the_rollover_window(tmp_path):
    db = tmp_path / "r.duckdb"
    store = Warehouse(db)
    settings = SyncSettings(rollover_window=window(3))
    sync_folder(year(tmp_path / "june", 2025), store, settings)
    held = sync_folder(year(tmp_path / "august", 2026, students=10), store, settings)
    assert held.status == "held"
    assert any("users.csv looks truncated" in r for r in held.reasons)


def test_a_malformed_rollover_window_is_refused_at_load():
    with pytest.raises(ValueError, match="is not a period"):
        SyncSettings(rollover_window="late July")
