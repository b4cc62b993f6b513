"""The sync asset's preview/apply partitions, its hold and approve, the sensor and the schedule."""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from roster_pipeline.defs.resources import district_resource, roster_resources
from roster_pipeline.defs.sync.assets import roster_sync
from roster_pipeline.defs.sync.automation import daily_sync_schedule, new_batch_sensor
from roster_pipeline.defs.sync.partitions import roster_batches, sync_key
from roster_pipeline.devtools.generate import generate, write
from roster_pipeline.settings.load import load_deployment, load_district
from roster_pipeline_tests.conftest import evaluated

daily_roster_sync = daily_sync_schedule(load_deployment(), load_district().enable_daily_sync)


def district(drop: Path, **overrides):
    return district_resource(**{"drop_dir": str(drop), "settle_seconds": 0, **overrides})


def age(folder: Path, seconds: float) -> None:
    """Make every file in ``folder`` look ``seconds`` old."""
    then = time.time() - seconds
    for f in folder.iterdir():
        os.utime(f, (then, then))


@pytest.fixture
def drop(tmp_path) -> Path:
    files = generate(200)
    write(files, tmp_path / "drop" / "2026-11-20")
    users = files["users"]
    write({**files, "users": users.head(users.height // 4)}, tmp_path / "drop" / "2026-11-21")
    age(tmp_path / "drop" / "2026-11-20", 900)
    age(tmp_path / "drop" / "2026-11-21", 600)
    return tmp_path / "drop"


def test_preview_apply_hold_and_approve_as_partitions(drop, tmp_path):
    db = tmp_path / "r.duckdb"
    resources = roster_resources(duckdb_path=str(db), district=district(drop))
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(roster_batches.name, ["2026-11-20", "2026-11-21"])

        def run(batch: str, mode: str, action: str = "run") -> dg.ExecuteInProcessResult:
            return dg.materialize(
                [roster_sync],
                instance=instance,
                resources=resources,
                partition_key=sync_key(batch, mode),
                run_config={"ops": {"roster_sync": {"config": {"action": action}}}},
                raise_on_error=False,
            )

        preview = run("2026-11-20", "preview")
        assert preview.success
        (meta,) = [
            m.metadata
            for m in preview.asset_materializations_for_node("roster_sync")
            if m.asset_key == dg.AssetKey("sync_plan")
        ]
        assert meta["status"].value == "previewed"
        assert meta["changes_created"].value > 0
        workbook = Path(meta["results_workbook"].value)
        assert workbook.parent == tmp_path / "results" and workbook.stat().st_size > 1_000
        assert not db.exists() or not _tables(db) & {"users"}
        assert run("2026-11-20", "apply").success

        held = run("2026-11-21", "apply")  # three quarters of the users are missing
        assert not held.success
        failure = held.failure_data_for_node("roster_sync").user_failure_data
        assert "Sync held, nothing applied" in failure.description
        assert "users.csv looks truncated" in failure.description
        held_book = Path(failure.metadata["results_workbook"].value)
        assert "-apply-held-" in held_book.name and held_book.exists()
        approved = run("2026-11-21", "apply", action="approve")
        assert approved.success
    with duckdb.connect(str(db), read_only=True) as con:
        runs = con.execute("SELECT mode, action, status FROM sync_runs ORDER BY started_at")
        assert runs.fetchall() == [
            ("preview", "run", "previewed"),
            ("apply", "run", "applied"),
            ("apply", "run", "held"),
            ("apply", "approve", "applied"),
        ]


def _tables(db: Path) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def test_sensor_registers_complete_batches_and_previews_them(drop):
    write(generate(20), drop / "2026-11-22")  # still being written: files changed just now
    (drop / "2026-11-23").mkdir()
    (drop / "2026-11-23" / "users.csv.part").write_text("sourcedId\n")
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(
            instance=instance, resources={"district": district(drop, settle_seconds=60)}
        )
        result = evaluated(new_batch_sensor, context)
        assert isinstance(result, dg.SensorResult)
        (added,) = result.dynamic_partitions_requests
        assert added.partition_keys == ["2026-11-20", "2026-11-21"]
        assert [r.partition_key for r in result.run_requests] == [
            sync_key("2026-11-20", "preview"),
            sync_key("2026-11-21", "preview"),
        ]
        instance.add_dynamic_partitions(roster_batches.name, added.partition_keys)
        again = evaluated(
            new_batch_sensor,
            dg.build_sensor_context(
                instance=instance, resources={"district": district(drop, settle_seconds=60)}
            ),
        )
        assert isinstance(again, dg.SkipReason)
        age(drop / "2026-11-22", 600)  # the transfer finished a while ago
        later = evaluated(
            new_batch_sensor,
            dg.build_sensor_context(
                instance=instance, resources={"district": district(drop, settle_seconds=60)}
            ),
        )
        assert later.dynamic_partitions_requests[0].partition_keys == ["2026-11-22"]


def test_schedule_applies_the_newest_batch_only_when_daily_sync_is_on(drop):
    with dg.instance_for_test() as instance:
        off = evaluated(
            daily_roster_sync,
            dg.build_schedule_context(instance=instance, resources={"district": district(drop)}),
        )
        assert isinstance(off, dg.SkipReason) and "Enable daily sync" in off.skip_message
        on = evaluated(
            daily_roster_sync,
            dg.build_schedule_context(
                instance=instance,
                resources={"district": district(drop, enable_daily_sync=True)},
            ),
        )
        assert isinstance(on, dg.RunRequest)
        assert on.partition_key == sync_key("2026-11-21", "apply")
        assert instance.has_dynamic_partition(roster_batches.name, "2026-11-21")
        empty = evaluated(
            daily_roster_sync,
            dg.build_schedule_context(
                instance=instance,
                resources={"district": district(drop / "none", enable_daily_sync=True)},
            ),
        )
        assert isinstance(empty, dg.SkipReason)
    assert daily_roster_sync.default_status == dg.DefaultScheduleStatus.STOPPED


def test_a_blackout_date_skips_the_schedule_and_a_manual_run_still_works(drop, tmp_path):
    from datetime import UTC, datetime

    settings = district(
        drop, enable_daily_sync=True, blackout_dates="06-20..08-20, 2026-12-21..2027-01-02"
    )
    with dg.instance_for_test() as instance:

        def tick(when: datetime):
            return evaluated(
                daily_roster_sync,
                dg.build_schedule_context(
                    instance=instance,
                    resources={"district": settings},
                    scheduled_execution_time=when,
                ),
            )

        summer = tick(datetime(2026, 7, 14, 10, 0, tzinfo=UTC))
        assert isinstance(summer, dg.SkipReason)
        assert "blackout period 06-20..08-20" in summer.skip_message
        assert "by hand still runs" in summer.skip_message
        winter = tick(datetime(2027, 1, 2, 15, 0, tzinfo=UTC))  # 10:00 in New York: still 2 Jan
        assert isinstance(winter, dg.SkipReason) and "2026-12-21..2027-01-02" in winter.skip_message
        # the day is the schedule's time zone's: 04:00 UTC on 3 Jan is 23:00 on 2 Jan there
        assert isinstance(tick(datetime(2027, 1, 3, 4, 0, tzinfo=UTC)), dg.SkipReason)
        assert isinstance(tick(datetime(2027, 1, 3, 15, 0, tzinfo=UTC)), dg.RunRequest)
        assert isinstance(tick(datetime(2026, 8, 21, 10, 0, tzinfo=UTC)), dg.RunRequest)
        # a manual run in a blackout period is not the schedule's: it applies as always
        db = tmp_path / "manual.duckdb"
        resources = roster_resources(duckdb_path=str(db), district=settings)
        instance.add_dynamic_partitions(roster_batches.name, ["2026-11-20"])
        manual = dg.materialize(
            [roster_sync],
            instance=instance,
            resources=resources,
            partition_key=sync_key("2026-11-20", "apply"),
        )
        assert manual.success


def test_a_malformed_blackout_period_is_a_clear_error():
    from roster_pipeline.sync.calendar import parse_periods

    with pytest.raises(ValueError, match=r"YYYY-MM-DD\.\.YYYY-MM-DD or MM-DD\.\.MM-DD"):
        parse_periods("summer")
    with pytest.raises(ValueError, match="does not exist"):
        parse_periods("02-30..03-01")
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_periods("2026-08-20..2026-06-20")
