"""Many districts: each its own files and DuckDB file, synced in parallel processes."""

from __future__ import annotations

import os
import time

import dagster as dg
import duckdb

from roster_pipeline.defs.districts.definitions import district_names
from roster_pipeline.generate import generate, write


def test_two_districts_sync_in_parallel_each_into_its_own_file(tmp_path):
    root = tmp_path / "districts"
    for tenant, students in (("north-usd", 300), ("south-usd", 200)):
        folder = root / tenant / "drop" / "2026-11-23"
        write(generate(students, seed=len(tenant)), folder)
        then = time.time() - 600
        for f in folder.iterdir():
            os.utime(f, (then, then))
    (root / "not a district").mkdir()
    assert district_names(root) == ["north-usd", "south-usd"]

    job = dg.build_reconstructable_job(
        "roster_pipeline.defs.districts.definitions",
        "districts_job",
        reconstructable_args=(str(root),),
    )
    with dg.instance_for_test() as instance:
        with dg.execute_job(job, instance=instance) as result:
            assert result.success
            entries = instance.all_logs(result.run_id)
    starts, ends, pids = {}, {}, set()
    for entry in entries:
        event = entry.dagster_event
        if event is not None and event.event_type_value == "STEP_START":
            starts[event.step_key] = entry.timestamp
            pids.add(event.pid)
        elif event is not None and event.event_type_value == "STEP_SUCCESS":
            ends[event.step_key] = entry.timestamp
    assert len(starts) == 2 and len(pids) == 2  # one process per district
    assert max(starts.values()) < min(ends.values())  # and they overlapped in time
    for tenant in ("north-usd", "south-usd"):
        with duckdb.connect(str(root / tenant / "roster.duckdb"), read_only=True) as con:
            assert con.execute("SELECT DISTINCT tenant_id FROM users").fetchall() == [(tenant,)]
            assert con.execute("SELECT status FROM sync_runs").fetchall() == [("applied",)]
