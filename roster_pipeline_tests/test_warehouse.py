"""The private copy a run writes: a clone where the filesystem shares blocks, else a copy."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from roster_pipeline.devtools.generate import generate, write
from roster_pipeline.devtools.next_day import next_day
from roster_pipeline.sync.run import sync_folder
from roster_pipeline.sync.settings import SyncSettings
from roster_pipeline.warehouse import Warehouse, WarehouseBusyError, copy_file

MIB = 2**20


@pytest.fixture
def xfs_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder on a real XFS filesystem with reflink (a loop-mounted image), as production
    servers format their data disks; skipped where one cannot be made (not root, no mkfs.xfs,
    no loop devices)."""
    if os.geteuid() != 0 or shutil.which("mkfs.xfs") is None:
        pytest.skip("an XFS loop mount needs root and mkfs.xfs (.ci/run installs xfsprogs)")
    image, mount = tmp_path / "xfs.img", tmp_path / "xfs"
    with image.open("wb") as out:
        out.truncate(512 * MIB)  # sparse: XFS needs 300 MiB at least
    mount.mkdir()
    made = subprocess.run(
        ["mkfs.xfs", "-q", "-m", "reflink=1", str(image)], capture_output=True, text=True
    )
    if made.returncode != 0:
        pytest.skip(f"mkfs.xfs failed: {made.stderr.strip()}")
    mounted = subprocess.run(
        ["mount", "-o", "loop", str(image), str(mount)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"no loop mount here: {mounted.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def _free_bytes(folder: Path) -> int:
    stats = os.statvfs(folder)
    return stats.f_bavail * stats.f_frsize


def _filled(path: Path, size: int) -> Path:
    path.write_bytes(os.urandom(size))
    os.sync()
    return path


def test_copy_file_copies_the_bytes_where_blocks_cannot_be_shared(tmp_path):
    source = _filled(tmp_path / "a.duckdb", 3 * MIB)
    how = copy_file(source, tmp_path / "b.duckdb")
    assert how in ("clone", "copy")
    assert (tmp_path / "b.duckdb").read_bytes() == source.read_bytes()
    if Path("/dev/shm").is_dir():  # tmpfs shares no blocks: the bytes are copied
        shm = Path("/dev/shm") / f"roster-test-{os.getpid()}"
        try:
            assert copy_file(source, shm) == "copy" and shm.read_bytes() == source.read_bytes()
        finally:
            shm.unlink(missing_ok=True)


def test_a_clone_shares_every_block_until_one_is_written(xfs_folder):
    source = _filled(xfs_folder / "roster.duckdb", 64 * MIB)
    free = _free_bytes(xfs_folder)
    assert copy_file(source, xfs_folder / "work.duckdb") == "clone"
    os.sync()
    assert free - _free_bytes(xfs_folder) < 4 * MIB  # 64 MiB "copied", almost nothing used
    with (xfs_folder / "work.duckdb").open("r+b") as work:  # the run writes its copy...
        work.write(b"x" * MIB)
    assert source.read_bytes()[:MIB] != b"x" * MIB  # ...and the published file is untouched


def test_a_sync_on_xfs_publishes_a_clone_and_readers_keep_their_snapshot(xfs_folder, tmp_path):
    day1 = generate(2000, seed=5)
    write(day1, tmp_path / "day1")
    write(next_day(day1), tmp_path / "day2")
    store = Warehouse(xfs_folder / "roster.duckdb")
    settings = SyncSettings(update_active_contacts=True)
    assert sync_folder(tmp_path / "day1", store, settings).status == "applied"
    assert store.last_copy == "new"
    with duckdb.connect(str(store.path), read_only=True) as reader:
        before = reader.execute("SELECT count(*), max(batch_id) FROM users").fetchall()
        outcome = sync_folder(tmp_path / "day2", store, settings)
        assert reader.execute("SELECT count(*), max(batch_id) FROM users").fetchall() == before
    assert outcome.status == "applied" and store.last_copy == "clone"
    elsewhere = Warehouse(tmp_path / "ext.duckdb")  # the same two days where bytes are copied
    for day in ("day1", "day2"):
        sync_folder(tmp_path / day, elsewhere, settings)
    query = "SELECT sourced_id, status, email, sms FROM users ORDER BY ALL"
    with (
        duckdb.connect(str(store.path), read_only=True) as cloned,
        duckdb.connect(str(elsewhere.path), read_only=True) as copied,
    ):
        assert cloned.execute(query).fetchall() == copied.execute(query).fetchall()
    assert not list(xfs_folder.glob(".roster.duckdb.*.work*"))


def test_after_publish_runs_once_published_and_only_when_the_run_succeeded(tmp_path):
    store = Warehouse(tmp_path / "roster.duckdb")
    seen = []

    def after() -> None:
        with duckdb.connect(str(store.path), read_only=True) as con:
            seen.append(con.execute("SELECT count(*) FROM t").fetchall())
        with pytest.raises(WarehouseBusyError), Warehouse(store.path).writer():
            pass  # another run waits: the lock is still held
        seen.append("locked")

    with store.writer(after) as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS x").fetchall()
    assert seen == [[(1,)], "locked"]  # the published file, read while the lock is still held
    with pytest.raises(RuntimeError), store.writer(after) as con:
        con.execute("INSERT INTO t VALUES (2)").fetchall()
        raise RuntimeError("the run failed")
    assert len(seen) == 2  # not called: nothing was published
    with duckdb.connect(str(store.path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM t").fetchall() == [(1,)]


def test_a_large_run_is_logged_at_commit_and_published_whole(tmp_path):
    store = Warehouse(tmp_path / "roster.duckdb")
    with store.writer() as con:
        con.execute("CREATE TABLE t AS SELECT range AS x, 'row ' || range AS y FROM range(300000)")
    with store.writer() as con:
        # no COMMIT checkpoints in a run's place: the log takes the transaction
        assert con.execute("SELECT current_setting('checkpoint_threshold')").fetchall() != [
            ("16.0 MiB",)
        ]
        # more than DuckDB's default threshold, in pieces a row group each would not take
        con.execute("DELETE FROM t WHERE x % 3 = 0").fetchall()
        for start in range(300000, 700000, 100000):
            con.execute(
                "INSERT INTO t SELECT range, 'new ' || range FROM range(?, ?)",
                [start, start + 100000],
            ).fetchall()
        con.execute("UPDATE t SET y = 'changed' WHERE x % 7 = 0").fetchall()
    # the published file holds the whole run: nothing left in a log the rename did not move
    assert not list(tmp_path.glob(".roster.duckdb.*"))
    assert not (tmp_path / "roster.duckdb.wal").exists()
    with duckdb.connect(str(store.path), read_only=True) as con:
        assert con.execute(
            "SELECT count(*), count(*) FILTER (WHERE y = 'changed'), max(x) FROM t"
        ).fetchall() == [(600000, 85714, 699999)]
