"""Many districts: registered by a sensor, each its own settings file, files and DuckDB file,
each synced in its own run and process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime

import dagster as dg
import duckdb

from roster_pipeline.defs.districts.automation import (
    daily_districts_schedule,
    district_folders_sensor,
)
from roster_pipeline.defs.districts.partitions import DISTRICT_TAG, districts
from roster_pipeline.defs.districts.resources import DistrictsFolder
from roster_pipeline.devtools.generate import generate, write
from roster_pipeline.settings.load import load_deployment
from roster_pipeline_tests.conftest import evaluated

RUN_ONE = """
import json, sys
import dagster as dg
from roster_pipeline.defs.districts.definitions import district_job
root, tenant, tags = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
result = district_job(root).execute_in_process(
    partition_key=tenant, instance=dg.DagsterInstance.get(), tags=tags, raise_on_error=False
)
sys.exit(0 if result.success else 1)
"""


def test_districts_are_registered_by_the_sensor_and_synced_each_in_its_own_process(
    tmp_path, monkeypatch
):
    root = tmp_path / "districts"
    for tenant, students, daily in (("north-usd", 300, True), ("south-usd", 200, True)):
        folder = root / tenant / "drop" / "2026-11-23"
        write(generate(students, seed=len(tenant)), folder)
        then = time.time() - 600
        for f in folder.iterdir():
            os.utime(f, (then, then))
        (root / tenant / "district.toml").write_text(
            f"enable_daily_sync = {str(daily).lower()}\nsettle_seconds = 0\n"
        )
    (root / "south-usd" / "district.toml").write_text(
        'enable_daily_sync = "yes"\nsettle_seconds = 0\nresults_dir = "reports"\n'
    )
    (root / "west-usd" / "drop").mkdir(parents=True)  # daily sync off (the default)
    (root / "not a district").mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    (tmp_path / "dagster_home").mkdir()
    resources = {"districts_folder": DistrictsFolder(districts_dir=str(root))}
    new_district_sensor = district_folders_sensor(load_deployment())
    with dg.DagsterInstance.get() as instance:
        found = evaluated(
            new_district_sensor, dg.build_sensor_context(instance=instance, resources=resources)
        )
        (request,) = found.dynamic_partitions_requests
        assert list(request.partition_keys) == ["north-usd", "south-usd", "west-usd"]
        # each new batch previewed once, as it arrives (west-usd has none yet)
        previews = found.run_requests
        assert [(r.partition_key, r.tags["roster/mode"]) for r in previews] == [
            ("north-usd", "preview"),
            ("south-usd", "preview"),
        ]
        assert previews[0].run_key == "north-usd:2026-11-23:preview"
        instance.add_dynamic_partitions(districts.name, list(request.partition_keys))
        again = evaluated(
            new_district_sensor,
            dg.build_sensor_context(instance=instance, resources=resources, cursor=found.cursor),
        )
        assert isinstance(again, dg.SkipReason)

        schedule = daily_districts_schedule(load_deployment())
        tick = dg.build_schedule_context(
            instance=instance,
            resources=resources,
            scheduled_execution_time=datetime(2026, 11, 24, 11, 0, tzinfo=UTC),
        )
        requests = evaluated(schedule, tick)
        assert [r.partition_key for r in requests] == ["north-usd", "south-usd"]
        assert [r.tags[DISTRICT_TAG] for r in requests] == ["north-usd", "south-usd"]

        children = [
            subprocess.Popen(
                [sys.executable, "-c", RUN_ONE, str(root), r.partition_key, json.dumps(r.tags)]
            )
            for r in requests
        ]
        assert [c.wait(timeout=600) for c in children] == [0, 0]

        records = instance.get_run_records()
        assert len(records) == 2
        pids = {}
        for record in records:
            run = record.dagster_run
            assert run.status == dg.DagsterRunStatus.SUCCESS
            starts = [
                e.dagster_event.pid
                for e in instance.all_logs(run.run_id)
                if e.dagster_event and e.dagster_event.event_type_value == "STEP_START"
            ]
            pids[run.tags[DISTRICT_TAG]] = set(starts)
        # one run per district, each in a process of its own (neither this test's process)
        assert set(pids) == {"north-usd", "south-usd"}
        assert len(pids["north-usd"] | pids["south-usd"]) == 2
        assert os.getpid() not in pids["north-usd"] | pids["south-usd"]

    for tenant in ("north-usd", "south-usd"):
        with duckdb.connect(str(root / tenant / "roster.duckdb"), read_only=True) as con:
            assert con.execute("SELECT DISTINCT tenant_id FROM users").fetchall() == [(tenant,)]
            assert con.execute("SELECT status FROM sync_runs").fetchall() == [("applied",)]
    assert list((root / "south-usd" / "reports").glob("sync-*.xlsx"))  # its own file's setting
    assert list((root / "north-usd" / "results").glob("sync-*.xlsx"))
    assert not (root / "west-usd" / "roster.duckdb").exists()
