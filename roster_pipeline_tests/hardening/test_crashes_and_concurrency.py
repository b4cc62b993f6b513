"""Kills at several points of an apply, readers during a run, two runs at once (real processes)."""

from __future__ import annotations

import ast
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from roster_pipeline.devtools.generate import generate, write
from roster_pipeline.devtools.next_day import next_day
from roster_pipeline.sync.run import sync_folder
from roster_pipeline.sync.settings import SyncSettings
from roster_pipeline.warehouse import Warehouse

SYNC = """
import sys
from pathlib import Path
from roster_pipeline.sync.run import sync_folder
from roster_pipeline.sync.settings import SyncSettings
from roster_pipeline.warehouse import Warehouse, WarehouseBusyError
try:
    print(sync_folder(Path(sys.argv[1]), Warehouse(sys.argv[2]), SyncSettings()).status)
except WarehouseBusyError as busy:
    print(busy)
    sys.exit(3)
"""
MARKED_SYNC = """
import os, sys
from pathlib import Path
from roster_pipeline.sync import run
from roster_pipeline.sync.settings import SyncSettings
from roster_pipeline.warehouse import Warehouse
folder, db, markers = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
apply, replace = run._apply, os.replace

def marked_apply(*args, **kwargs):  # runs inside the apply's transaction
    (markers / "applying").write_text("")
    return apply(*args, **kwargs)

def marked_replace(src, dst, *args, **kwargs):  # the apply is published (committed) here
    replace(src, dst, *args, **kwargs)
    if Path(dst) == db:
        (markers / "published").write_text("")

run._apply, os.replace = marked_apply, marked_replace
print(run.sync_folder(folder, Warehouse(db), SyncSettings()).status)
"""
READER = """
import sys, time, duckdb
db, out, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
held = duckdb.connect(db, read_only=True)   # one connection kept open through the run
sql = "SELECT count(*), max(batch_id) FROM users"
seen, end = [], time.monotonic() + seconds
while time.monotonic() < end:
    seen.append(("held", held.execute(sql).fetchall()[0]))
    with duckdb.connect(db, read_only=True) as fresh:  # and a new one each time
        seen.append(("fresh", fresh.execute(sql).fetchall()[0]))
    time.sleep(0.01)
open(out, "w").write(repr(seen))
"""


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def users_state(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT * FROM users ORDER BY sourced_id").fetchall()


def child(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for(marker: Path, process: subprocess.Popen) -> float:
    """Wait until ``marker`` exists (the process wrote it); the time it appeared."""
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert process.poll() is None, process.stderr.read()[-2000:]
        assert time.monotonic() < deadline
        time.sleep(0.002)
    return time.monotonic()


def wait_for_work_file(folder: Path, process: subprocess.Popen) -> float:
    """Wait until the apply has begun (its private copy exists); the time it appeared."""
    deadline = time.monotonic() + 120
    while not list(folder.glob(".r.duckdb.*.work")):
        assert process.poll() is None, process.stderr.read()[-2000:]
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return time.monotonic()


@pytest.fixture(scope="module")
def two_days(tmp_path_factory) -> tuple[Path, Path, Path, list[tuple], list[tuple]]:
    """Day 1 applied in a database file; day 2's folder; both expected user states."""
    root = tmp_path_factory.mktemp("kill")
    files = generate(6_000, seed=3)
    write(files, root / "day1")
    write(next_day(files, every=50), root / "day2")
    db = root / "day1.duckdb"
    sync_folder(root / "day1", Warehouse(db), SyncSettings())
    after = root / "day2.duckdb"
    after.write_bytes(db.read_bytes())
    sync_folder(root / "day2", Warehouse(after), SyncSettings())
    return root, db, root / "day2", users_state(db), users_state(after)


@pytest.mark.parametrize("fraction", [0.05, 0.3, 0.6, 0.9])
def test_a_kill_anywhere_in_an_apply_leaves_the_old_or_the_new_state(two_days, tmp_path, fraction):
    _, day1_db, day2, old, new = two_days
    db = tmp_path / "r.duckdb"
    markers = tmp_path / "markers"
    markers.mkdir()

    def start() -> subprocess.Popen:
        for marker in markers.iterdir():
            marker.unlink()
        db.write_bytes(day1_db.read_bytes())
        return child(MARKED_SYNC, str(day2), str(db), str(markers))

    probe = start()  # first, how long an apply takes here, from its transaction to publishing
    began = wait_for(markers / "applying", probe)
    apply_seconds = wait_for(markers / "published", probe) - began
    probe.wait()

    for _ in range(10):  # until the kill lands inside the apply, earlier each time it did not
        victim = start()
        began = wait_for(markers / "applying", victim)
        time.sleep(max(0.0, apply_seconds * fraction - (time.monotonic() - began)))
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
        landed_inside = not (markers / "published").exists()
        if landed_inside:
            break
        fraction /= 2
    assert landed_inside, "the kill never landed between the apply's start and its publishing"
    assert users_state(db) == old  # killed before publishing: the old state, whole

    state = users_state(db)
    assert state in (old, new)  # never in between
    rerun = sync_folder(day2, Warehouse(db), SyncSettings())  # a rerun completes it
    assert rerun.status == "applied" and users_state(db) == new
    again = sync_folder(day2, Warehouse(db), SyncSettings())  # and a rerun of it changes nothing
    assert set(again.counts.counts["change"]) <= {"unchanged", "skipped"}
    assert users_state(db) == new
    assert not list(tmp_path.glob(".r.duckdb.*.work*"))


def test_readers_keep_a_consistent_snapshot_and_never_block_a_run(two_days, tmp_path):
    _, day1_db, day2, old, new = two_days
    db = tmp_path / "r.duckdb"
    db.write_bytes(day1_db.read_bytes())
    out = tmp_path / "seen.txt"
    reader = child(READER, str(db), str(out), "6")
    time.sleep(1.5)  # the reader is connected and reading
    outcome = sync_folder(day2, Warehouse(db), SyncSettings())
    assert outcome.status == "applied"
    reader.wait(timeout=60)
    assert reader.returncode == 0, reader.stderr.read()[-2000:]
    seen = ast.literal_eval(out.read_text())
    expected = {
        (len(old), max(r[2] for r in old)),
        (len(new), max(r[2] for r in new)),
    }
    assert {value for _, value in seen} <= expected
    held = [value for kind, value in seen if kind == "held"]
    assert set(held) == {(len(old), max(r[2] for r in old))}  # the open connection: its snapshot
    assert users_state(db) == new


def test_a_second_run_on_the_same_district_is_refused_clearly(two_days, tmp_path):
    _, day1_db, day2, old, _ = two_days
    db = tmp_path / "r.duckdb"
    db.write_bytes(day1_db.read_bytes())
    with Warehouse(db).writer():  # a run is applying
        second = child(SYNC, str(day2), str(db))
        out, _ = second.communicate(timeout=120)
    assert second.returncode == 3
    assert "Another run is writing r.duckdb" in out
    assert users_state(db) == old


def test_an_analyst_holding_the_file_open_for_writing_does_not_block_a_run(two_days, tmp_path):
    _, day1_db, day2, _, new = two_days
    db = tmp_path / "r.duckdb"
    db.write_bytes(day1_db.read_bytes())
    holder = child(
        "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('open', flush=True); "
        "time.sleep(60)",
        str(db),
    )
    assert holder.stdout.readline().strip() == "open"  # a read-write connection, locking the file
    try:
        outcome = sync_folder(day2, Warehouse(db), SyncSettings())
    finally:
        holder.kill()
        holder.wait()
    assert outcome.status == "applied" and users_state(db) == new
    assert not list(tmp_path.glob(".r.duckdb.*.work*"))  # the private copies are gone
