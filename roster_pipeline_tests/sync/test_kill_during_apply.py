"""A sync killed (SIGKILL) in the middle of its apply leaves the previous state."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from roster_pipeline.generate import generate, write
from roster_pipeline.sync.run import sync_folder
from roster_pipeline.sync.settings import SyncSettings, Thresholds
from roster_pipeline.warehouse import Warehouse

CHILD = """
import sys
from pathlib import Path
from roster_pipeline.sync.run import sync_folder
from roster_pipeline.sync.settings import SyncSettings, Thresholds
from roster_pipeline.warehouse import Warehouse
lenient = Thresholds(deactivate_pct=100, update_pct=100, truncated_ratio=0)
sync_folder(Path(sys.argv[1]), Warehouse(sys.argv[2]), SyncSettings(thresholds=lenient))
"""


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sigkill_mid_apply_leaves_the_previous_state(tmp_path):
    db = tmp_path / "r.duckdb"
    write(generate(200), tmp_path / "day1")
    sync_folder(tmp_path / "day1", Warehouse(db), SyncSettings())
    before = digest(db)
    write(generate(20_000, seed=11), tmp_path / "big")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path / "big"), str(db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".r.duckdb.*.work")):  # the apply has begun
        assert child.poll() is None, child.stderr.read().decode()[-2000:]
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(1.0)
    assert child.poll() is None, "the apply finished before it could be killed"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()

    assert digest(db) == before
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM sync_runs").fetchall() == [(1,)]
        assert con.execute("SELECT max(version) FROM live_versions").fetchall() == [(1,)]
    # the next run is not blocked by what the killed one left behind
    lenient = Thresholds(deactivate_pct=100, update_pct=100, truncated_ratio=0)
    again = sync_folder(tmp_path / "big", Warehouse(db), SyncSettings(thresholds=lenient))
    assert again.status == "applied"
    assert not list(tmp_path.glob(".r.duckdb.*.work*"))
