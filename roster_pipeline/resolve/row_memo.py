"""Rows an earlier batch validated without a finding, so a later batch need not read them again.

The memo is a folder of parquet files beside the warehouse (``.<warehouse>.rows``): pipeline
state, never published, safe to delete (the next run reads every row and writes it again). Per file
kind it holds the validated values of each row that had no finding, under the 128-bit hash of
the row's line. A row is recognised only under the same context: the file kind, the header line
and the school scope (``RawFile.context``), the region phones are read in, and the code and
polars versions. Validation checks one row at a time, so a recognised row's values are what
validating it again would give; what crosses rows is decided again for every batch: a line
repeated is never recognised, and an id that a recognised row shares with a row read again
sends the batch through a full read (``verify``). Each kind's memo holds the rows of one batch.

Beside the rows, ``live-<stamp>.parquet`` names those of them that are *not* their live record in
the live state ``stamp`` (``history.version_stamp``): rows a rule or a setting rejected or changed
when they were applied, rows with a finding, or rows a run read without applying them. In that
same live state, every other recognised row is its live record, field for field (``_memo_live``):
it can be left as it is (``quiet_rows``). ``others-<stamp>.parquet`` names the live records of
that state that are neither rows of the memo nor deactivated: with the memo's rows the next
batch no longer has, they are the only live records that batch can leave out and change
(``memo_gone``). Any other live state (an upload, a restore, another warehouse) and no
recognised row is taken for its live record.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import threading
from dataclasses import replace
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

import roster_pipeline
from roster_pipeline.intake.batch import read_batch
from roster_pipeline.intake.read_file import KnownRows
from roster_pipeline.intake.source import ArchiveLimits
from roster_pipeline.resolve import memo_check
from roster_pipeline.resolve.live_marks import LIVE, OTHERS, LiveMark
from roster_pipeline.resolve.memo_parts import (
    clean_rows,
    compact_due,
    kept_rows,
    no_hashes,
    part_number,
    without,
    write_part,
)
from roster_pipeline.schemas.validate_file import ValidatedBatch, ValidatedFile, validate_batch
from roster_pipeline.specs import SPECS

log = logging.getLogger(__name__)


def memo_path(warehouse: Path) -> Path:
    """Where the memo of the warehouse at ``warehouse`` lives (a hidden folder beside it)."""
    return warehouse.with_name(f".{warehouse.name}.rows")


@cache
def _code_fingerprint() -> str:
    """The package's source and the polars version: a code change forgets every memo."""
    digest = hashlib.sha256(f"{roster_pipeline.__version__}\n{pl.__version__}\n".encode())
    root = Path(roster_pipeline.__file__).parent
    for source in sorted([*root.rglob("*.py"), *root.rglob("*.sql")]):
        digest.update(source.relative_to(root).as_posix().encode() + b"\0")
        digest.update(source.read_bytes())
    return digest.hexdigest()


ASIDE = "aside"
"""``aside-<pid>.parquet``: a run's clean rows, written before it is published (``set_aside``)."""


class RowMemo:
    """The memo of one warehouse, for batches validated in one region.

    Per kind and context a folder of parquet parts: ``rows-N`` (rows a batch added) and
    ``gone-N`` (hashes of rows that batch no longer had). What the memo knows is every part's
    rows less every gone hash: the rows of the last batch, or fewer (never a row it lacked).
    Parts are written whole and renamed into place, so a killed run leaves a valid memo.
    """

    def __init__(self, folder: Path, region: str) -> None:
        self.folder = folder
        self.region = region
        self._known: dict[str, pl.DataFrame] = {}
        self._lock = threading.Lock()
        self._aside: dict[str, tuple[Path, int] | None] = {}
        """Kind -> its clean rows written ahead (``set_aside``) and how many; None: failed."""
        self._gone: dict[str, pl.DataFrame] = {}
        """Kind -> ``h1``, ``h2`` of its rows the batch did not send again (found by ``verify``)."""

    def key(self, context: str) -> str:
        """The stored form of a file's context (with the region and the code)."""
        whole = f"{context}\n{self.region}\n{_code_fingerprint()}"
        return hashlib.sha256(whole.encode()).hexdigest()[:24]

    def _dir(self, kind: str, key: str) -> Path:
        return self.folder / f"{SPECS[kind].table}-{key}"

    def _parts(self, kind: str, key: str, prefix: str = "rows") -> list[Path]:
        return sorted(self._dir(kind, key).glob(f"{prefix}-*.parquet"), key=part_number)

    def known(self, context: str) -> pl.DataFrame | None:
        """``h1``, ``h2`` of the rows the memo knows under ``context`` (``read_batch``'s)."""
        kind = context.split("\n", 1)[0]
        key = self.key(context)
        with self._lock:
            if kind not in self._known:
                self._known[kind] = self._load(kind, key)
            known = self._known[kind]
        return known if known.height else None

    def _load(self, kind: str, key: str) -> pl.DataFrame:
        parts = self._parts(kind, key)
        if not parts:
            return no_hashes()
        try:
            rows = pl.read_parquet(parts, columns=["h1", "h2"])
            gone = self._parts(kind, key, "gone")
            if gone:
                rows = without(rows, pl.read_parquet(gone).unique()).collect()
        except (OSError, pl.exceptions.PolarsError) as err:
            log.warning("row memo of %s not used (%s)", kind, type(err).__name__)
            return no_hashes()
        return rows

    def verify(
        self, con: duckdb.DuckDBPyConnection, files: dict[str, ValidatedFile], stamp: str = ""
    ) -> dict[str, ValidatedFile] | None:
        """The files with their recognised rows checked; None: read the batch in full.

        Every recognised row must be in the memo under both hashes, and no id of a recognised
        row may also be the id of a row read again (that is a duplicate to report on both).
        Each kind's memo becomes the view ``memo_<table>`` the stage reads recognised rows from,
        and ``recognised_<table>``, with ``_memo_live``: the row is its live record in the live
        state ``stamp``; where that is known, ``memo_gone_<table>`` too.
        """
        checked = dict(files)
        self._gone.clear()
        for kind, vf in files.items():
            if vf.known is None or vf.known.is_empty() or vf.context is None:
                continue
            key = self.key(vf.context)
            found = self._parts(kind, key)
            if not found:  # removed since it was read: read the batch in full
                return None
            folder = self._dir(kind, key)
            said = [folder / f"{word}-{stamp}.parquet" for word in (LIVE, OTHERS)]
            gone = self._parts(kind, key, "gone")
            try:
                in_memo, status_given, repeated = memo_check.check(
                    con,
                    kind,
                    vf,
                    (found, gone),
                    said if stamp and all(map(Path.exists, said)) else None,
                )
            except duckdb.Error as err:  # a part damaged since it was loaded
                log.warning("row memo of %s not used (%s)", kind, type(err).__name__)
                return None
            if in_memo != vf.known.height or repeated:
                return None
            self._gone[kind] = vf.unsent  # what keep writes as the next gone part
            checked[kind] = replace(vf, known_status_given=status_given)
        return checked

    def set_aside(self, validated: ValidatedBatch) -> None:
        """Write each file's clean rows now, for ``keep`` to take once the run is published.

        Then the memo needs none of the batch's frames (``stage_batch`` can let them go before
        the run's largest work); a part is renamed into place, not written again. Never raises:
        a kind whose rows could not be written is forgotten by ``keep``.
        """
        for kind, vf in validated.files.items():
            try:
                self._aside[kind] = self._set_aside_file(vf)
            except (OSError, pl.exceptions.PolarsError) as err:
                log.warning("row memo of %s not set aside (%s)", kind, type(err).__name__)
                self._aside[kind] = None

    def _set_aside_file(self, vf: ValidatedFile) -> tuple[Path, int] | None:
        if vf.context is None or vf.hashes is None or not vf.usable:
            return None  # forgotten
        folder = self._dir(vf.kind, self.key(vf.context))
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob(f"{ASIDE}-*.parquet"):  # a killed run's
            stale.unlink()
        kept = kept_rows(vf)
        path = folder / f"{ASIDE}-{os.getpid()}.parquet"
        write_part(path, clean_rows(vf, kept))
        return path, vf.frame.select(kept.sum()).item()

    def keep(self, validated: ValidatedBatch, mark: LiveMark | None = None) -> None:
        """Remember the batch's rows that had no finding, per file kind; never raises.

        A kind whose file was not read cleanly (or is not usable) is forgotten; a kind the batch
        has no file for keeps what it knew. ``mark``: what the run left live (None: the memo
        says nothing of the live records).
        """
        for kind, vf in validated.files.items():
            try:
                self._keep_file(vf, mark)
            except (OSError, pl.exceptions.PolarsError) as err:
                log.warning("row memo of %s dropped (%s)", kind, type(err).__name__)
                self._forget(kind)

    def _forget(self, kind: str, but: Path | None = None) -> None:
        for folder in self.folder.glob(f"{SPECS[kind].table}-*"):
            if folder != but:
                shutil.rmtree(folder, ignore_errors=True)

    def _keep_file(self, vf: ValidatedFile, mark: LiveMark | None) -> None:
        aside = self._aside.pop(vf.kind, False)
        if aside is False:  # not set aside before the run: now
            aside = self._set_aside_file(vf)
        if vf.context is None or aside is None:
            self._forget(vf.kind)
            return
        key = self.key(vf.context)
        folder = self._dir(vf.kind, key)
        self._forget(vf.kind, but=folder)
        source, added = aside
        clean = pl.scan_parquet(source)
        # what the memo says of the live records goes first: no rows under a stale word
        before = self._not_live(folder, mark)
        for stale in [*folder.glob(f"{LIVE}-*.parquet"), *folder.glob(f"{OTHERS}-*.parquet")]:
            stale.unlink()
        read_now = None  # nothing applied: the rows read now are not live either
        if before is not None:
            read_now = clean.select("sourced_id").collect().get_column("sourced_id")
        self._write_rows(vf, key, folder, clean, added, source)
        if mark is None or mark.stamp == "":
            return
        table = SPECS[vf.kind].table
        if mark.applied:
            not_live = mark.not_as_read.get(table)
        elif before is not None and read_now is not None:
            not_live = pl.concat([before, read_now]).unique()
        else:
            return
        others = mark.others.get(table)
        if not_live is not None and others is not None:
            for word, ids in ((OTHERS, others), (LIVE, not_live)):  # live- last: it vouches
                frame = pl.DataFrame({"sourced_id": ids.cast(pl.String)})
                write_part(folder / f"{word}-{mark.stamp}.parquet", frame)

    @staticmethod
    def _not_live(folder: Path, mark: LiveMark | None) -> pl.Series | None:
        """The ids a run that applies nothing keeps saying are not live (None: none said)."""
        if mark is None or mark.applied or not mark.stamp:
            return None
        path = folder / f"{LIVE}-{mark.stamp}.parquet"
        if not path.exists():
            return None
        try:
            return pl.read_parquet(path).get_column("sourced_id")
        except (OSError, pl.exceptions.PolarsError):
            return None

    def _write_rows(
        self,
        vf: ValidatedFile,
        key: str,
        folder: Path,
        clean: pl.LazyFrame,
        added: int,
        source: Path,
    ) -> None:
        """Write the batch's ``added`` clean rows as a new part (or every row again as one).

        ``source``: the file ``clean`` is read from (set aside), renamed where it is the part.
        """
        known = self._known.get(vf.kind, no_hashes())
        recognised = vf.known.select("h1", "h2") if vf.known is not None else no_hashes()
        parts = self._parts(vf.kind, key)
        folder.mkdir(parents=True, exist_ok=True)
        if recognised.is_empty() or compact_due(parts, recognised.height + added):
            if not recognised.is_empty():  # one part again: the rows still known, and the new
                still = pl.scan_parquet(parts).join(recognised.lazy(), on=["h1", "h2"], how="semi")
                clean = pl.concat([still, clean], how="diagonal_relaxed")
                write_part(folder / "rows-1.parquet", clean)
            else:
                os.replace(source, folder / "rows-1.parquet")
            for stale in self._parts(vf.kind, key) + self._parts(vf.kind, key, "gone"):
                if stale.name != "rows-1.parquet":
                    stale.unlink()
        else:
            # after every part, rows or gone (a batch that adds no rows still writes a gone part)
            number = max(map(part_number, parts + self._parts(vf.kind, key, "gone"))) + 1
            gone = self._gone.pop(vf.kind, None)
            if gone is None:  # not verified in this run: the known rows not recognised
                gone = without(known, recognised).collect()
            if gone.height:
                write_part(folder / f"gone-{number}.parquet", gone)
            if added:
                os.replace(source, folder / f"rows-{number}.parquet")
        source.unlink(missing_ok=True)


def read_validated(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    region: str,
    scope_school: str | None,
    limits: ArchiveLimits | None,
    memo: RowMemo | None,
    stamp: str = "",
) -> ValidatedBatch:
    """Read and validate the batch; rows ``memo`` recognises are not read again.

    Where the memo cannot vouch for them (``verify``), every row is read. ``stamp``: the live
    state the run starts from (``history.version_stamp``).
    """

    def read(known: KnownRows | None = None) -> ValidatedBatch:
        batch = read_batch(folder, scope_school=scope_school, limits=limits, known=known)
        return validate_batch(batch, region=region, scope_school=scope_school)

    if memo is None:
        return read()
    validated = read(memo.known)
    checked = memo.verify(con, validated.files, stamp)
    return read() if checked is None else replace(validated, files=checked)


def rows_recognised(validated: ValidatedBatch) -> int:
    """Rows of the batch recognised from the memo (not read again)."""
    return sum(vf.known.height for vf in validated.files.values() if vf.known is not None)
