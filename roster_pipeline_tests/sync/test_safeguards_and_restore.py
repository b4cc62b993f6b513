"""Held syncs (truncated, empty, too many changes), approve and discard, delta files, restore."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from roster_pipeline.cli.restore import main as restore_command
from roster_pipeline.devtools.generate import generate, write
from roster_pipeline.sync.restore_version import restore
from roster_pipeline.sync.run import SyncRefusedError, sync_folder
from roster_pipeline.sync.settings import SyncSettings, Thresholds
from roster_pipeline.warehouse import Warehouse
from roster_pipeline_tests.conftest import write_batch


def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture
def district(tmp_path) -> tuple[dict[str, pl.DataFrame], Warehouse, Path]:
    """A generated district applied once; returns its files, the store and the db path."""
    files = generate(200)
    write(files, tmp_path / "day1")
    db = tmp_path / "r.duckdb"
    store = Warehouse(db)
    assert sync_folder(tmp_path / "day1", store, SyncSettings()).status == "applied"
    return files, store, db


def truncated(files: dict[str, pl.DataFrame], out: Path) -> Path:
    """The same district with users.csv cut to its first 30% (an export that died midway)."""
    users = files["users"]
    write({**files, "users": users.head(int(users.height * 0.3))}, out)
    return out


def test_a_truncated_export_is_held_and_changes_nothing(district, tmp_path):
    files, store, db = district
    before = rows(db, "SELECT * FROM users ORDER BY sourced_id")
    held = sync_folder(truncated(files, tmp_path / "day2"), store, SyncSettings())
    assert held.status == "held"
    assert any("users.csv looks truncated" in r for r in held.reasons)
    assert any(r.startswith("users: ") and "deactivated" in r for r in held.reasons)
    assert rows(db, "SELECT * FROM users ORDER BY sourced_id") == before
    assert rows(db, "SELECT status, reason IS NOT NULL FROM sync_runs ORDER BY started_at") == [
        ("applied", False),
        ("held", True),
    ]
    assert rows(db, "SELECT status FROM batches WHERE batch_id = ?", [held.batch_id]) == [("held",)]
    assert rows(db, "SELECT count(*) FROM change_log WHERE batch_id = ?", [held.batch_id]) == [(0,)]
    planned = rows(
        db,
        "SELECT count(*) FROM sync_plan WHERE batch_id = ? AND change = 'deactivated' "
        "AND entity = 'users'",
        [held.batch_id],
    )[0][0]
    assert planned == held.counts.n("users", "deactivated") > 0


def test_an_empty_bulk_file_is_held_never_a_wipe(district, tmp_path):
    files, store, db = district
    header_only = files["users"].head(0)
    write({**files, "users": header_only}, tmp_path / "empty")
    held = sync_folder(tmp_path / "empty", store, SyncSettings())
    assert held.status == "held"
    assert any("users.csv is empty" in r for r in held.reasons)
    assert rows(db, "SELECT count(*) FROM users WHERE status = 'active'") == [
        (files["users"].height,)
    ]


def test_a_missing_file_keeps_the_live_records(district, tmp_path):
    files, store, db = district
    write({k: v for k, v in files.items() if k != "enrollments"}, tmp_path / "no_enr")
    outcome = sync_folder(tmp_path / "no_enr", store, SyncSettings())
    assert outcome.status == "applied"
    assert not outcome.counts.n("enrollments", "deactivated")
    assert rows(db, "SELECT count(*) FROM enrollments WHERE status = 'active'") == [
        (files["enrollments"].height,)
    ]


def test_approve_applies_the_held_plan_and_discard_closes_it(district, tmp_path):
    files, store, db = district
    folder = truncated(files, tmp_path / "day2")
    held = sync_folder(folder, store, SyncSettings())
    approved = sync_folder(folder, store, SyncSettings(), action="approve")
    assert approved.status == "applied"
    assert approved.counts.counts.equals(held.counts.counts)
    assert rows(
        db,
        "SELECT count(*) FROM change_log WHERE batch_id = ? AND change = 'deactivated'"
        " AND entity = 'users'",
        [held.batch_id],
    ) == [(held.counts.n("users", "deactivated"),)]
    with pytest.raises(SyncRefusedError, match="not held"):
        sync_folder(folder, store, SyncSettings(), action="approve")

    # discard: a held batch closed without applying; it cannot be approved afterwards
    write(files, tmp_path / "day3")
    sync_folder(tmp_path / "day3", store, SyncSettings())
    folder4 = truncated(files, tmp_path / "day4")
    sync_folder(folder4, store, SyncSettings())
    discarded = sync_folder(folder4, store, SyncSettings(), action="discard")
    assert discarded.status == "discarded"
    assert rows(db, "SELECT status FROM batches WHERE batch_id = ?", [discarded.batch_id]) == [
        ("discarded",)
    ]
    with pytest.raises(SyncRefusedError, match="not held"):
        sync_folder(folder4, store, SyncSettings(), action="approve")
    statuses = [r[0] for r in rows(db, "SELECT status FROM sync_runs ORDER BY started_at")]
    assert statuses == ["applied", "held", "applied", "applied", "held", "discarded"]


def test_approving_a_stale_plan_is_refused(district, tmp_path):
    files, store, db = district
    folder = truncated(files, tmp_path / "day2")
    sync_folder(folder, store, SyncSettings())
    changed = files["users"].with_columns(familyName=pl.lit("Renamed"))
    write({**files, "users": changed}, tmp_path / "other")
    sync_folder(tmp_path / "other", store, SyncSettings(thresholds=Thresholds(update_pct=100)))
    before = rows(db, "SELECT * FROM users ORDER BY sourced_id")
    with pytest.raises(SyncRefusedError, match="stale"):
        sync_folder(folder, store, SyncSettings(), action="approve")
    assert rows(db, "SELECT * FROM users ORDER BY sourced_id") == before
    # other settings than the held run's make the plan stale too
    sync_folder(folder, store, SyncSettings())
    with pytest.raises(SyncRefusedError, match="stale"):
        sync_folder(folder, store, SyncSettings(unarchive_classes=False), action="approve")


def test_thresholds_are_settings(district, tmp_path):
    files, store, _ = district
    folder = truncated(files, tmp_path / "day2")
    lenient = SyncSettings(
        thresholds=Thresholds(deactivate_pct=100, truncated_ratio=0.0, update_pct=100)
    )
    assert sync_folder(folder, store, lenient, mode="preview").status == "previewed"
    assert sync_folder(folder, store, lenient).status == "applied"


def test_a_delta_manifest_changes_only_listed_rows(district, tmp_path):
    files, store, db = district
    manifest = "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.users,delta\n"
    users = (
        "sourcedId,status,orgSourcedIds,role,givenName,familyName\n"
        "0000005,tobedeleted,sch001,student,Gone,Student\n"
        "0000006,active,sch002,student,Renamed,Student\n"
        "0009999,active,sch001,student,New,Student\n"
    )
    outcome = sync_folder(
        write_batch(tmp_path / "delta", {"manifest.csv": manifest, "users.csv": users}),
        store,
        SyncSettings(),
    )
    assert outcome.status == "applied"
    log = rows(
        db,
        "SELECT sourced_id, change, field FROM change_log WHERE batch_id = ? AND entity = 'users' "
        "ORDER BY ALL",
        [outcome.batch_id],
    )
    assert ("0000005", "deactivated", "status") in log
    assert ("0000006", "updated", "given_name") in log
    assert ("0009999", "created", None) in log
    assert {r[0] for r in log} == {"0000005", "0000006", "0009999"}
    assert rows(db, "SELECT count(*) FROM users WHERE status = 'active'") == [
        (files["users"].height,)
    ]


def test_restore_brings_back_the_state_after_an_earlier_batch(district, tmp_path):
    files, store, db = district
    day1 = rows(db, "SELECT * FROM users ORDER BY sourced_id")
    links1 = rows(db, "SELECT * FROM student_guardians ORDER BY ALL")
    batch1 = rows(db, "SELECT batch_id FROM live_versions ORDER BY version")[0][0]
    day2 = {
        **files,
        "users": files["users"]
        .filter(pl.col("sourcedId") != "0000007")
        .with_columns(sms=pl.lit("(212) 555-0142")),
    }
    write(day2, tmp_path / "day2")
    settings = SyncSettings(update_active_contacts=True, thresholds=Thresholds(update_pct=100))
    assert sync_folder(tmp_path / "day2", store, settings).status == "applied"
    assert rows(db, "SELECT * FROM users ORDER BY sourced_id") != day1

    assert restore_command(["--db", str(db), "--batch", batch1]) == 0  # the documented command
    assert rows(db, "SELECT * FROM users ORDER BY sourced_id") == day1
    assert rows(db, "SELECT * FROM student_guardians ORDER BY ALL") == links1
    restored = rows(
        db,
        "SELECT sourced_id, change FROM change_log WHERE batch_id = ? AND entity = 'users' "
        "AND field IS DISTINCT FROM 'sms'",
        [f"restore-{batch1}"],
    )
    assert restored == [("0000007", "reactivated")]
    assert restore_command(["--db", str(db), "--batch", "no-such-batch"]) == 2
    assert rows(db, "SELECT kind FROM live_versions ORDER BY version") == [
        ("roster",),
        ("roster",),
        ("restore",),
    ]
    with pytest.raises(SyncRefusedError, match="never applied"):
        restore(store, "no-such-batch", settings)


def test_restore_undoes_an_upload_too(tmp_path):
    from roster_pipeline.devtools.generate import guardians_upload
    from roster_pipeline.uploads.guardians.upload import run_upload

    files = generate(200)
    write(files, tmp_path / "day1")
    db = tmp_path / "r.duckdb"
    store = Warehouse(db)
    settings = SyncSettings(manage_guardians=False)
    roster = sync_folder(tmp_path / "day1", store, settings)
    before = rows(db, "SELECT * FROM users ORDER BY sourced_id")
    upload = tmp_path / "guardians.csv"
    guardians_upload(files, 300).write_csv(upload)
    run_upload(upload, store, mode="apply", results_dir=tmp_path / "results")
    assert rows(db, "SELECT count(*) FROM student_guardians")[0][0] > 0
    assert rows(db, "SELECT kind FROM live_versions ORDER BY version")[-1] == ("guardians_upload",)

    restore(store, roster.batch_id, settings)
    assert rows(db, "SELECT count(*) FROM student_guardians") == [(0,)]
    assert rows(db, "SELECT * FROM users ORDER BY sourced_id") == before


def test_the_sync_command_previews_applies_and_reports_a_hold(tmp_path, capsys):
    from roster_pipeline.cli.sync import main as sync_command

    files = generate(200)
    write(files, tmp_path / "day1")
    db = str(tmp_path / "r.duckdb")
    assert sync_command(["--folder", str(tmp_path / "day1"), "--db", db]) == 0
    assert "previewed" in capsys.readouterr().out
    assert sync_command(["--folder", str(tmp_path / "day1"), "--db", db, "--mode", "apply"]) == 0
    folder = str(truncated(files, tmp_path / "day2"))
    assert sync_command(["--folder", folder, "--db", db, "--mode", "apply"]) == 1
    assert "held: users.csv looks truncated" in capsys.readouterr().out
    assert sync_command(["--folder", folder, "--db", db, "--action", "approve"]) == 2
