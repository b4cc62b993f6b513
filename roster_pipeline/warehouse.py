"""The published DuckDB file, written by copy-and-swap so readers never block a run.

A run copies the published file to a private working file, writes there in one transaction,
checkpoints, and atomically renames it over the published file. On a filesystem that shares
blocks between files (XFS, btrfs, ZFS) the copy is a clone, so what a run costs to publish grows
with what it changed; elsewhere the bytes are copied (docs/deployment.md measures both).
Analysts holding the old file open keep reading their snapshot; a failed or killed run leaves the
published file untouched.
One writer per file is enforced with an OS lock next to it. The published file is attached to
the run's connection, read-only, as ``published``: the state the run started from.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

PUBLISHED = "published"
"""The catalog name of the published file in a run's connection: the state the run started from."""


def sql_path(path: Path) -> str:
    """``path`` as a SQL string literal (ATTACH and read_parquet lists take no parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


STORAGE_VERSION = "v1.5.0"
"""The storage format of a new district file: the newest the DuckDB command-line client on PyPI
(duckdb-cli 1.5) reads, so analysts open it with ``duckdb -readonly``; the 2.0 library reads and
writes it. A file keeps the format it was created with."""
DEFAULT_MEMORY_LIMIT = "2GB"
"""DuckDB's memory cap in a run unless the district sets another."""
RUN_CHECKPOINT_THRESHOLD = "1TB"
"""The log size at which DuckDB would checkpoint inside a COMMIT: above any run, so the run's
COMMIT writes its log and the writer's CHECKPOINT follows. Where a transaction's writes pass
DuckDB's default (16MB), its COMMIT checkpoints in place of the log, and that measured slower
the more a day changed: a typical day at 500,000 students 2.2 s at COMMIT against 0.3 s + a
1.0 s checkpoint; a quiet day 0.4 s against 0.2 + 0.3 s; a first load the same either way."""


def _create(path: Path) -> None:
    """A new, empty database file in the analysts' client's storage format."""
    with duckdb.connect() as con:
        con.execute(
            f"ATTACH {sql_path(path)} AS fresh (STORAGE_VERSION '{STORAGE_VERSION}')"
        ).fetchall()


FICLONE = 0x40049409
"""Linux's ioctl that makes a file share another's blocks (``_IOW(0x94, 9, int)``, linux/fs.h)."""


def copy_file(source: Path, target: Path) -> str:
    """Copy ``source`` to ``target``; "clone" or "copy", as it was done.

    Where the filesystem can share blocks between files (XFS with reflink, btrfs, bcachefs, ZFS
    with block cloning) the copy is a clone: no data is copied, and the run's writes allocate
    only the blocks they change, so publishing costs what the run changed, not the size of the
    database. Elsewhere (ext4, tmpfs) the bytes are copied.
    """
    with source.open("rb") as src, target.open("wb") as dst:
        try:
            fcntl.ioctl(dst.fileno(), FICLONE, src.fileno())
            return "clone"
        except OSError:  # EOPNOTSUPP, EXDEV, ENOTTY (no such ioctl): copy the bytes
            pass
    shutil.copyfile(source, target)
    return "copy"


class WarehouseBusyError(RuntimeError):
    """Another run is writing this district's database."""


class Warehouse:
    """One district's published DuckDB file."""

    def __init__(self, path: str | Path, memory_limit: str = DEFAULT_MEMORY_LIMIT) -> None:
        """Point at the published file (it need not exist yet).

        ``memory_limit`` caps DuckDB's memory in a run; beyond it DuckDB spills to disk.
        """
        self.path = Path(path)
        self.memory_limit = memory_limit
        self.last_copy = ""
        """How the last run made its private copy: clone (blocks shared), copy or new."""

    @contextmanager
    def writer(
        self, after_publish: Callable[[], None] | None = None
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to a private copy, published atomically if the block succeeds.

        ``after_publish`` (which must not raise) runs once the file is published and its
        connection closed, still holding the writer lock: pipeline state kept beside the file.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with lock_path.open("w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as err:
                raise WarehouseBusyError(
                    f"Another run is writing {self.path.name}; try again when it finishes."
                ) from err
            self._remove_abandoned_work()
            work = self.path.with_name(f".{self.path.name}.{os.getpid()}.work")
            work.unlink(missing_ok=True)
            if self.path.exists():
                self.last_copy = copy_file(self.path, work)
            else:
                _create(work)
                self.last_copy = "new"
            con = duckdb.connect(str(work), config=self._config())
            before = work.with_name(work.name + ".before")
            try:
                if self.path.exists():
                    self._attach_published(con, before)
                con.execute("BEGIN TRANSACTION").fetchall()
                yield con
                con.execute("COMMIT").fetchall()
                con.execute("CHECKPOINT").fetchall()
                con.close()
                os.replace(work, self.path)
            except BaseException:
                con.close()
                work.unlink(missing_ok=True)
                Path(str(work) + ".wal").unlink(missing_ok=True)
                raise
            finally:
                before.unlink(missing_ok=True)
            if after_publish is not None:
                after_publish()

    def _config(self) -> dict[str, object]:
        """A run's DuckDB settings: its memory cap, tables written in parallel, one checkpoint.

        Rows are stored in no particular order (every reader orders what it shows), so DuckDB
        writes a large table's row groups in parallel, straight to the file, instead of
        buffering them in order until the checkpoint (half the time of a first load's writes).
        The run's one transaction is written to the log at COMMIT and checkpointed once after
        it (``RUN_CHECKPOINT_THRESHOLD``).
        """
        return {
            "memory_limit": self.memory_limit,
            "preserve_insertion_order": False,
            "checkpoint_threshold": RUN_CHECKPOINT_THRESHOLD,
        }

    def _attach_published(self, con: duckdb.DuckDBPyConnection, before: Path) -> None:
        """Attach the published file read-only as ``published``.

        A process holding it open for writing (an analyst's read-write connection) locks it:
        then a private copy of it, ``before``, is attached instead, so no analyst blocks a run.
        """
        try:
            con.execute(f"ATTACH {sql_path(self.path)} AS {PUBLISHED} (READ_ONLY)").fetchall()
        except duckdb.IOException:
            copy_file(self.path, before)
            con.execute(f"ATTACH {sql_path(before)} AS {PUBLISHED} (READ_ONLY)").fetchall()

    def _remove_abandoned_work(self) -> None:
        """Private copies left by killed runs (we hold the lock, so none is in use)."""
        for leftover in self.path.parent.glob(f".{self.path.name}.*.work*"):
            leftover.unlink(missing_ok=True)

    def reader(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection to the published file (an empty in-memory db if none yet)."""
        if not self.path.exists():
            return duckdb.connect(":memory:")
        return duckdb.connect(str(self.path), read_only=True)
