"""A many-district deployment's runs as its instance records them: who ran when, how long.

For the production test and the fleet measurement (``devtools.fleet``): the most runs at once,
runs of one district that overlapped (the queue's limit says none), a run's start to its first
step.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import yaml
from dagster._core.instance.ref import InstanceRef

from roster_pipeline.defs.districts.partitions import DISTRICT_TAG, MODE_TAG

FINISHED = {
    dg.DagsterRunStatus.SUCCESS.value,
    dg.DagsterRunStatus.FAILURE.value,
    dg.DagsterRunStatus.CANCELED.value,
}


@contextmanager
def open_instance(dagster_home: Path, pg_password: str) -> Iterator[dg.DagsterInstance]:
    """The instance of ``dagster_home``, given the PostgreSQL password.

    Its dagster.yaml reads the password from DAGSTER_PG_PASSWORD; here it is passed instead.
    """
    config = yaml.safe_load((dagster_home / "dagster.yaml").read_text())
    storage = config["storage"]
    storage["postgres"]["postgres_db"]["password"] = pg_password
    ref = InstanceRef.from_dir(str(dagster_home), overrides={"storage": storage})
    with dg.DagsterInstance.from_ref(ref) as instance:
        yield instance


@dataclass
class RunRow:
    """One run as the run records tell it."""

    run_id: str
    district: str
    mode: str
    status: str
    created: float
    start: float | None
    end: float | None
    first_step: float | None = None


def district_runs(instance: dg.DagsterInstance) -> list[RunRow]:
    """Every run of the districts' job, oldest first."""
    rows = []
    for record in instance.get_run_records(filters=dg.RunsFilter(job_name="sync_district")):
        run = record.dagster_run
        rows.append(
            RunRow(
                run.run_id,
                run.tags.get(DISTRICT_TAG, ""),
                run.tags.get(MODE_TAG, ""),
                run.status.value,
                record.create_timestamp.timestamp(),
                record.start_time,
                record.end_time,
            )
        )
    return sorted(rows, key=lambda r: r.created)


def wait_for_runs(
    instance: dg.DagsterInstance,
    done: Callable[[list[RunRow]], bool],
    timeout: float,
    what: str,
) -> list[RunRow]:
    """The runs once ``done(runs)`` holds and none is queued or running (else TimeoutError)."""
    deadline = time.monotonic() + timeout
    while True:
        runs = district_runs(instance)
        if done(runs) and all(r.status in FINISHED for r in runs):
            return runs
        if time.monotonic() > deadline:
            shown = [(r.district, r.mode, r.status) for r in runs]
            raise TimeoutError(f"{what}: not done in {timeout:.0f} s; runs {shown}")
        time.sleep(2)


def first_steps(instance: dg.DagsterInstance, runs: list[RunRow]) -> list[RunRow]:
    """The runs with the time of their first step's start."""
    for run in runs:
        records = instance.get_records_for_run(
            run.run_id, of_type=dg.DagsterEventType.STEP_START, limit=1
        ).records
        run.first_step = records[0].timestamp if records else None
    return runs


def most_in_flight(runs: list[RunRow]) -> int:
    """The most runs that were running at one moment."""
    edges = sorted(
        [(r.start, 1) for r in runs if r.start and r.end]
        + [(r.end, -1) for r in runs if r.start and r.end]
    )
    now = peak = 0
    for _, step in edges:
        now += step
        peak = max(peak, now)
    return peak


def district_overlaps(runs: list[RunRow]) -> list[tuple[str, str, str]]:
    """Pairs of runs of one district that ran at the same time (the limit says: none)."""
    found = []
    by_district: dict[str, list[RunRow]] = {}
    for run in runs:
        if run.start and run.end:
            by_district.setdefault(run.district, []).append(run)
    for district, own in by_district.items():
        own.sort(key=lambda r: r.start)
        found += [
            (district, a.run_id, b.run_id) for a, b in itertools.pairwise(own) if b.start < a.end
        ]
    return found
