"""The bundled sample as two days of exports in the drop folder, day 1 applied (scripts/dev.sh).

    python -m roster_pipeline.devtools.sample_batches

Day 1 (``2026-11-23``) is the sample as it is; day 2 (``2026-11-24``) is its next export: a
student leaves, one arrives, a guardian has a new mobile, and 10 of the 66 classes close, which
is more than the 10% safeguard allows: its apply is held until someone approves it. Both are
registered as batch partitions and day 1 is applied, in the instance of ``DAGSTER_HOME``, so the
UI opens on tables to look at and a day to preview. Folders already there are kept.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import dagster as dg

from roster_pipeline.defs.sync.materialize import materialize_batch
from roster_pipeline.defs.sync.partitions import roster_batches
from roster_pipeline.settings.load import DATA_HOME, load_district

DAY_1, DAY_2 = "2026-11-23", "2026-11-24"
SAMPLE = DATA_HOME / "sample_district"
CLOSING = 10
"""Classes that close on day 2 (of the sample's 66): over the 10% hold threshold."""


def _aged(folder: Path) -> Path:
    """Files an hour old: complete for the sensor whatever the settle time."""
    then = time.time() - 3600
    for path in folder.iterdir():
        os.utime(path, (then, then))
    return folder


def _without_lines(path: Path, drop: set[str], column: int) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [lines[0], *(ln for ln in lines[1:] if ln.split(",")[column] not in drop)]
    path.write_text("".join(kept), encoding="utf-8")


def write_day_2(folder: Path) -> Path:
    """The sample's next export, written to ``folder``."""
    shutil.copytree(SAMPLE, folder)
    classes = (folder / "classes.csv").read_text(encoding="utf-8").splitlines()[1:]
    closing = {line.split(",")[0] for line in classes[:CLOSING]}
    _without_lines(folder / "classes.csv", closing, 0)
    header = (folder / "enrollments.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    _without_lines(folder / "enrollments.csv", closing, header.index("classSourcedId"))
    users = (folder / "users.csv").read_text(encoding="utf-8")
    users = users.replace("(702) 267-4574", "(702) 267-4999")  # a guardian's new mobile
    users = "".join(ln for ln in users.splitlines(keepends=True) if not ln.startswith("0000003,"))
    users += "0009001,sch001,student,Noor,Haddad,s9001@students.sample.k12.us,,,g0a,05,\n"
    (folder / "users.csv").write_text(users, encoding="utf-8")
    return folder


def main() -> None:
    """Write the two days (if missing), register them, and apply day 1 (if never applied)."""
    settings = load_district()
    drop = Path(settings.drop_dir)
    drop.mkdir(parents=True, exist_ok=True)
    if not (drop / DAY_1).exists():
        _aged(Path(shutil.copytree(SAMPLE, drop / DAY_1)))
    if not (drop / DAY_2).exists():
        _aged(write_day_2(drop / DAY_2))
    instance = dg.DagsterInstance.get()
    known = set(instance.get_dynamic_partitions(roster_batches.name))
    instance.add_dynamic_partitions(
        roster_batches.name, [d for d in (DAY_1, DAY_2) if d not in known]
    )
    if instance.get_latest_materialization_event(dg.AssetKey("users")) is None:
        result = materialize_batch(drop / DAY_1, instance=instance)
        print(f"day 1 ({DAY_1}) applied: {result.success}")  # noqa: T201
    print(f"batches {DAY_1} and {DAY_2} are in {drop}")  # noqa: T201


if __name__ == "__main__":
    main()
