"""A re-sent batch (the bytes of the batch that made the live tables), applied for its hashing.

Districts send the same export again (a weekend, a job run twice, nothing changed in the SIS).
When every file of a batch is byte for byte a file of the batch that produced the current live
version, under the same settings, release and scope, the full sync is a foregone conclusion:

- the files would parse and validate to the same rows and the same findings;
- the live tables already are what those rows make of them, so nothing would be applied; the
  changes the settings refuse (``skipped``) would be refused again, with the same values.

The second point needs care. The settings' rules (keep the contact details of *active* users,
keep archived classes archived, keep their enrollments closed) look at the live records'
statuses, and after the batch that made the live tables, only the fields it refused differ from
its files. So it holds when that batch:
- applied nothing: it left the state as it found it;
- or skipped nothing: everything it planned is live, and a second plan finds no difference for
  a rule to act on;
- or applied only updates of fields: no record was created or changed status, so every rule sees
  the statuses it saw, and refuses the same fields with the same values.
Otherwise (a user deactivated on the day their new address was refused is no longer active when
it comes again) the batch is synced in full once; the re-send after that one is carried over.

Carrying over records exactly what the full sync would: the batch and its files, its findings
(the same lines: the bytes are the same), the run and its counts, a new live version with no
changes, the refused changes in ``sync_plan``. The test compares the two, table by table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from roster_pipeline import __version__ as PIPELINE_VERSION
from roster_pipeline.intake.batch import FileRecord, RawBatch, identify
from roster_pipeline.intake.manifest import Manifest
from roster_pipeline.intake.source import ArchiveLimits, BatchSource, open_source
from roster_pipeline.resolve import batch_record, sql_files
from roster_pipeline.specs import kind_of_file
from roster_pipeline.sync import change_counts, change_log, changes, history, integrity, safeguards
from roster_pipeline.sync.changes import tables
from roster_pipeline.sync.settings import SyncSettings
from roster_pipeline.tables import LINKS_TABLE, ROSTER_TABLES

# The run that produced the live version, when that version is a roster sync.
MADE_LIVE = """
SELECT r.run_id, r.batch_id, r.settings, r.pipeline_version, r.plan_digest,
       r.created + r.updated + r.deactivated + r.reactivated + r.archived + r.unarchived,
       r.created + r.deactivated + r.reactivated + r.archived + r.unarchived, r.skipped,
       b.scope, b.oneroster_version, b.manifest_present
FROM sync_runs r
JOIN live_versions v ON v.version = r.applied_version AND v.batch_id = r.batch_id
JOIN batches b ON b.batch_id = r.batch_id AND b.status = 'applied'
WHERE r.mode = 'apply' AND r.status = 'applied' AND v.kind = 'roster'
  AND v.version = (SELECT max(version) FROM live_versions)
ORDER BY r.started_at DESC
LIMIT 1
"""
FINDING_COLUMNS = "file, line, column_name, sourced_id, code, severity, message, value"


@dataclass(frozen=True)
class _Previous:
    """The run whose result a re-send carries over."""

    run_id: str
    batch_id: str
    settings: str
    pipeline_version: str | None
    plan_digest: str
    applied: int
    created_or_status: int
    """Applied changes other than field updates: records created, deactivated, reactivated, ..."""
    skipped: int
    scope: str
    oneroster_version: str | None
    manifest_present: bool


def _made_live(con: duckdb.DuckDBPyConnection) -> _Previous | None:
    """The roster run that produced the current live version (None: no such run)."""
    needed = ("sync_runs", "live_versions", "batches", "batch_files", "findings", "sync_plan")
    if not set(needed) <= tables(con):
        return None
    rows = sql_files.execute(con, MADE_LIVE)
    return _Previous(*rows[0]) if rows else None


def _same_bytes(previous_files: pl.DataFrame, files: list[FileRecord]) -> bool:
    """Whether the batch's roster files are the previous batch's, name, size and hash."""
    mine = {(f.name, f.kind, f.size, f.sha256) for f in files if f.kind is not None}
    theirs = set(previous_files.select("file", "kind", "size_bytes", "sha256").iter_rows())
    return mine == theirs


def _sizes_match(previous_files: pl.DataFrame, source: BatchSource) -> bool:
    """A first look that reads nothing: the roster files have the previous names and sizes."""
    roster = {m.name: m.size for m in source.members if kind_of_file(m.name) is not None}
    return roster == dict(previous_files.select("file", "size_bytes").iter_rows())


def _fill_sizes(con: duckdb.DuckDBPyConnection) -> None:
    """``entity_sizes`` as the full plan fills it when nothing changes: every live row is next."""
    sql_files.execute(
        con,
        "CREATE OR REPLACE TEMP TABLE entity_sizes (entity VARCHAR, live_active BIGINT, "
        "next_rows BIGINT)",
    )
    active = f"count(*) FILTER (WHERE {changes.IS_ACTIVE})"
    live = tables(con)
    for table in ROSTER_TABLES:
        if table in live:
            sql_files.execute(
                con,
                f"INSERT INTO entity_sizes SELECT '{table}', "  # table from ROSTER_TABLES
                f"{active}, count(*) FROM main.{table}",
            )
    links = (
        f"SELECT {active}, {active} FROM main.{LINKS_TABLE}"
        if LINKS_TABLE in live
        else "SELECT 0, 0"
    )
    sql_files.execute(con, f"INSERT INTO entity_sizes SELECT 'guardian_links', * FROM ({links})")


@dataclass(frozen=True)
class Carried:
    """A re-send recorded from the run that made the live tables."""

    batch_id: str
    carried_from: str
    """The batch whose result was carried over."""
    counts: change_counts.ChangeCounts
    digest: str
    version: int
    files: pl.DataFrame
    findings: pl.DataFrame
    table_rows: dict[str, int]


def carry_over(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    settings: SyncSettings,
    *,
    run_id: str,
    received_at: str,
    scope_school: str | None = None,
    limits: ArchiveLimits | None = None,
) -> Carried | None:
    """Record ``path`` as a re-send of the batch that made the live tables, if it is one.

    Returns None, having written nothing, when it is not (a file differs, the settings or the
    release changed, something was applied since, or the full sync could judge differently).
    """
    previous = _made_live(con)
    if previous is None or previous.settings != settings.fingerprint():
        return None
    if previous.pipeline_version != PIPELINE_VERSION:
        return None
    if previous.scope != (scope_school or "district"):
        return None
    if previous.skipped and previous.created_or_status:
        return None  # a rule could see other statuses and judge a refused record differently
    if not history.every_table_based(con):
        return None
    previous_files = con.sql(
        "SELECT file, kind, mode, size_bytes, sha256, encoding, rows_read, rows_applied, "
        "rows_rejected FROM batch_files WHERE batch_id = ? ORDER BY rowid",
        params=[previous.batch_id],
    ).pl()
    source = open_source(path, limits)
    if source.refused or not previous_files.height:
        return None
    if not _sizes_match(previous_files, source):
        return None
    batch_id, files = identify(source)
    if batch_id.rsplit("-", 1)[-1] != previous.batch_id.rsplit("-", 1)[-1]:
        return None  # the hash of every member (manifest and other files too) differs
    if not _same_bytes(previous_files, files):
        return None
    return _record(con, previous, previous_files, batch_id, source, settings, run_id, received_at)


def _record(
    con: duckdb.DuckDBPyConnection,
    previous: _Previous,
    files: pl.DataFrame,
    batch_id: str,
    source: BatchSource,
    settings: SyncSettings,
    run_id: str,
    received_at: str,
) -> Carried | None:
    """Write the re-send's records (None, nothing written, if a safeguard would speak)."""
    changes.start(con)
    sql_files.execute(
        con,
        "INSERT INTO change_rows SELECT entity, sourced_id, change, field, old_value, new_value, "
        "applied, note FROM sync_plan WHERE run_id = ? AND batch_id = ?",
        [previous.run_id, previous.batch_id],
    )
    _fill_sizes(con)
    digest = change_counts.digest(con)
    if not previous.applied and digest != previous.plan_digest:
        return None  # its refused changes are no longer all in sync_plan
    counts = change_counts.count(con)
    if counts.totals().get("skipped", 0) != previous.skipped:
        return None  # ditto (a later preview of the same batch replaced them)
    if safeguards.file_reasons(
        files, safeguards.last_good_rows(con), settings.thresholds
    ) or safeguards.change_reasons(counts, settings.thresholds):
        return None
    sql_files.execute(
        con,
        f"CREATE OR REPLACE TEMP TABLE batch_findings AS SELECT {FINDING_COLUMNS} "
        "FROM findings WHERE batch_id = ? ORDER BY rowid",
        [previous.batch_id],
    )
    found = con.sql(f"SELECT {FINDING_COLUMNS} FROM batch_findings").pl()
    batch = RawBatch(
        batch_id=batch_id,
        folder=str(source.path.resolve()),
        received_at=received_at,
        files=[],
        manifest=Manifest(present=bool(previous.manifest_present)),
        scope_school=None if previous.scope == "district" else previous.scope,
        version=previous.oneroster_version,
    )
    version = history.commit_unchanged(con, batch_id, "roster")
    integrity.carry(con, version)
    change_log.record(con, batch_id, run_id, settings, version)
    batch_record.record_batch(
        con, batch, settings.tenant_id, settings.application_id, "applied", files, found
    )
    live = tables(con)
    table_rows = {
        t: sql_files.execute(con, f"SELECT count(*) FROM main.{t}")[0][0] if t in live else 0
        for t in (*ROSTER_TABLES, LINKS_TABLE)
    }
    return Carried(batch_id, previous.batch_id, counts, digest, version, files, found, table_rows)
