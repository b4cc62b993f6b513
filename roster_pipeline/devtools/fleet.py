"""Many districts through a production instance (scripts/deploy-local.sh), and what it costs.

    python -m roster_pipeline.devtools.fleet --districts 20 --students 5000 --workdir /tmp/fleet

writes the districts (one drop folder and ``district.toml`` each), starts PostgreSQL, the daemon
and the UI with the daily schedule firing every minute, waits until every district's batch was
previewed and applied, stops everything and prints: wall time from the first run's creation to
the last one's end, the most runs in flight at once, the per-district limit (never two runs of a
district at once), and per-run overhead (a run's start to its first step). The production test
(roster_pipeline_tests/deploy) drives the same ``Deployment``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from roster_pipeline.defs.districts.run_records import (
    district_overlaps,
    first_steps,
    most_in_flight,
    open_instance,
    wait_for_runs,
)
from roster_pipeline.devtools.generate import generate, write
from roster_pipeline.settings.load import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "scripts" / "deploy-local.sh"


def postgres_missing() -> str | None:
    """Why a local PostgreSQL cannot be started here, or None when it can."""
    if not any(Path("/usr/lib/postgresql").glob("*/bin/postgres")) and not any(
        (Path(p) / "postgres").exists() for p in os.get_exec_path()
    ):
        return "PostgreSQL's server programs are not installed (Debian: apt-get install postgresql)"
    if os.geteuid() == 0 and subprocess.run(["id", "postgres"], capture_output=True).returncode:
        return "running as root without a postgres user to run the server as"
    return None


def free_port() -> int:
    """A free TCP port on the loopback."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def settled(folder: Path, seconds_ago: float = 600) -> Path:
    """``folder``'s files dated ``seconds_ago`` (a finished transfer, past the settle time)."""
    then = time.time() - seconds_ago
    for path in [folder, *folder.rglob("*")]:
        os.utime(path, (then, then))
    return folder


def write_district(root: Path, tenant: str, settings: str = "", daily: bool = True) -> Path:
    """``<root>/<tenant>/district.toml`` (daily sync on unless told, plus ``settings``)."""
    home = root / tenant
    (home / "drop").mkdir(parents=True, exist_ok=True)
    (home / "district.toml").write_text(
        f"enable_daily_sync = {str(daily).lower()}\nsettle_seconds = 0\n" + settings,
        encoding="utf-8",
    )
    return home


def drop(home: Path, batch: str, files: dict[str, pl.DataFrame]) -> Path:
    """One export into the district's drop folder, as a finished transfer."""
    folder = home / "drop" / batch
    write(files, folder)
    return settled(folder)


@dataclass
class Deployment:
    """scripts/deploy-local.sh in a folder of its own, with its environment."""

    home: Path
    districts: Path
    environment: dict[str, str] = field(default_factory=dict)
    max_runs: int = 4

    @classmethod
    def in_folder(cls, base: Path, max_runs: int = 4, **variables: str) -> Deployment:
        """A deployment under ``base`` (which the postgres user must be able to reach)."""
        base.mkdir(parents=True, exist_ok=True)
        base.chmod(0o755)
        districts = base / "districts"
        districts.mkdir(exist_ok=True)
        environment = {
            "DEPLOY_HOME": str(base / "deploy"),
            "PG_DATA": str(base / "postgres"),
            "PG_PORT": str(free_port()),
            "PORT": str(free_port()),
            "MAX_RUNS": str(max_runs),
            "ROSTER_DISTRICTS_DIR": str(districts),
            "ROSTER_SYNC_CRON": "* * * * *",
            "ROSTER_SYNC_TIMEZONE": "UTC",
            "ROSTER_SENSOR_INTERVAL": "5",
            **variables,
        }
        return cls(base / "deploy", districts, environment, max_runs)

    @property
    def ui_url(self) -> str:
        """The UI's address."""
        return f"http://127.0.0.1:{self.environment['PORT']}"

    def script(self, command: str, timeout: float = 300) -> str:
        """Run ``deploy-local.sh command``; its output (a failure raises with it)."""
        variables = [f"{name}={value}" for name, value in self.environment.items()]
        done = subprocess.run(
            ["env", *variables, "bash", str(SCRIPT), command],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode:
            raise RuntimeError(f"deploy-local.sh {command} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def pids(self) -> dict[str, int]:
        """The daemon's and webserver's pids, from the script's pid files."""
        run = self.home / "run"
        return {p.stem: int(p.read_text()) for p in run.glob("*.pid")} if run.is_dir() else {}

    @contextmanager
    def instance(self) -> Iterator[Any]:
        """The instance, as the daemon sees it (its dagster.yaml, PostgreSQL)."""
        password = (self.home / "postgres.password").read_text().strip()
        with open_instance(self.home / "instance", password) as instance:
            yield instance


def measure(districts: int, students: int, workdir: Path, max_runs: int) -> dict[str, object]:
    """Twenty (or ``districts``) districts of ``students`` each through the queue."""
    deployment = Deployment.in_folder(workdir, max_runs=max_runs)
    for n in range(districts):
        home = write_district(deployment.districts, f"district-{n:03d}")
        drop(home, "2026-11-23", generate(students, seed=n + 1))
    started = time.time()
    deployment.script("start")
    try:
        with deployment.instance() as instance:
            runs = wait_for_runs(
                instance,
                lambda rs: (
                    sum(r.mode == "apply" and r.end is not None for r in rs) == districts
                    and sum(r.mode == "preview" and r.end is not None for r in rs) == districts
                ),
                timeout=60 * 60,
                what="every district previewed and applied",
            )
            runs = first_steps(instance, runs)
    finally:
        deployment.script("stop")
    overhead = [r.first_step - r.start for r in runs if r.first_step and r.start]
    durations = [r.end - r.start for r in runs if r.start and r.end]
    first, last = min(r.created for r in runs), max(r.end for r in runs if r.end)
    applies = [r for r in runs if r.mode == "apply"]
    return {
        "districts": districts,
        "students_each": students,
        "max_concurrent_runs": max_runs,
        "runs": len(runs),
        "runs_succeeded": sum(r.status == "SUCCESS" for r in runs),
        "wall_seconds_first_run_to_last": round(last - first, 1),
        "wall_seconds_applies": round(
            max(r.end for r in applies if r.end) - min(r.created for r in applies), 1
        ),
        "most_in_flight": most_in_flight(runs),
        "same_district_overlaps": len(district_overlaps(runs)),
        "run_seconds_median": round(statistics.median(durations), 2),
        "created_to_start_median": round(
            statistics.median(r.start - r.created for r in runs if r.start), 2
        ),
        "start_to_first_step_median": round(statistics.median(overhead), 2),
        "start_to_first_step_max": round(max(overhead), 2),
        "setup_seconds": round(min(r.created for r in runs) - started, 1),
    }


def main(argv: list[str] | None = None) -> None:
    """Measure many districts through the production instance; print the numbers as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--districts", type=int, default=20)
    parser.add_argument("--students", type=int, default=5000)
    parser.add_argument("--max-runs", type=int, default=4)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="roster-fleet-", dir="/tmp"))
    result = measure(args.districts, args.students, workdir, args.max_runs)
    text = json.dumps(result, indent=2)
    if args.out:
        args.out.write_text(text + "\n")
    print(text)  # noqa: T201 (a command-line tool's output)


if __name__ == "__main__":
    main()
