"""One sync run: plan a batch against the live tables, then preview, hold, apply or discard it.

- ``preview``: the change set is recorded (``sync_plan``), nothing live changes;
- ``apply``: applied in one transaction, unless a safeguard holds it (then recorded as held);
- ``approve``: applies a held batch as it was planned, refused if anything changed since;
- ``discard``: closes a held batch without applying it.
Every run is a row of ``sync_runs``; every applied change a row of ``change_log``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

import duckdb
import polars as pl

from roster_pipeline import findings
from roster_pipeline.intake.batch import received_now
from roster_pipeline.intake.source import ArchiveLimits
from roster_pipeline.resolve import batch_record, sql_files
from roster_pipeline.resolve.apply_batch import stage_batch
from roster_pipeline.resolve.live_marks import LiveMark, not_as_read, others
from roster_pipeline.resolve.live_write import ApplyResult, write_live
from roster_pipeline.resolve.row_memo import RowMemo, memo_path, read_validated, rows_recognised
from roster_pipeline.schemas.validate_file import ValidatedBatch
from roster_pipeline.sync import (
    change_counts,
    change_log,
    changes,
    history,
    integrity,
    resend,
)
from roster_pipeline.sync.outcome import SyncOutcome, utc_now
from roster_pipeline.sync.run_record import REJECTED, record_failure, record_run
from roster_pipeline.sync.run_status import SyncRefusedError, decide, discard
from roster_pipeline.sync.settings import SyncSettings
from roster_pipeline.warehouse import Warehouse, WarehouseBusyError

MODES = ("preview", "apply")
ACTIONS = ("run", "approve", "discard")
STAGED = ("applied", "previewed", "held")
"""The statuses of a run that staged its batch (and planned it)."""


def _grants(settings: SyncSettings) -> pl.DataFrame:
    """(role, permission) for every staff role the settings grant permissions to."""
    return pl.DataFrame(
        settings.grants(), schema={"role": pl.String, "permission": pl.String}, orient="row"
    )


def _apply(
    con: duckdb.DuckDBPyConnection,
    validated: ValidatedBatch,
    settings: SyncSettings,
    run_id: str,
) -> tuple[int, ApplyResult]:
    """Write the staged state, staff permissions, history and change log; the new version."""
    batch = validated.batch
    result = write_live(
        con,
        batch,
        validated.files,
        tenant_id=settings.tenant_id,
        application_id=settings.application_id,
        keep_unchanged_batch=True,
    )
    con.register("grants", _grants(settings).to_arrow())
    sql_files.run(
        con,
        "staff_permissions",
        params={"tenant": settings.tenant_id, "app": settings.application_id},
    )
    con.unregister("grants")
    version = history.commit_version(
        con, batch.batch_id, "roster", changed_only=result.rewritten_changed_only
    )
    change_log.record(con, batch.batch_id, run_id, settings, version)
    integrity.record(con, version, result.rewritten_changed_only)
    return version, result


def _reject(
    con: duckdb.DuckDBPyConnection,
    validated: ValidatedBatch,
    settings: SyncSettings,
    run_id: str,
    mode: str,
    action: str,
    live_version: int,
) -> SyncOutcome:
    """Record a batch nothing of which can be applied: its findings, files and the reason."""
    batch = validated.batch
    found = findings.concat([batch.findings, *(v.findings for v in validated.files.values())])
    con.register("incoming_findings", found.to_arrow())
    sql_files.execute(
        con, "CREATE OR REPLACE TEMP TABLE batch_findings AS SELECT * FROM incoming_findings"
    )
    con.unregister("incoming_findings")
    files = batch_record.nothing_applied(batch, validated.files)
    batch_record.record_batch(
        con, batch, settings.tenant_id, settings.application_id, REJECTED, files, found
    )
    counts = change_counts.ChangeCounts(
        pl.DataFrame(schema={"entity": pl.String, "change": pl.String, "n": pl.Int64}),
        pl.DataFrame(),
    )
    return SyncOutcome(
        run_id,
        batch.batch_id,
        mode,
        action,
        REJECTED,
        [batch.refusal or ""],
        counts,
        live_version,
        files=files,
        findings=found,
    )


def _begin(con: duckdb.DuckDBPyConnection) -> tuple[datetime, int]:
    """Start a run: the tables it records into exist; when it started, the live version."""
    started = utc_now()
    sql_files.run(con, "write_tables")
    change_log.ensure_tables(con)
    return started, history.current_version(con)


def sync_validated(
    con: duckdb.DuckDBPyConnection,
    validated: ValidatedBatch,
    settings: SyncSettings,
    *,
    mode: str = "apply",
    action: str = "run",
    run_id: str | None = None,
    release_frames: bool = False,
    begun: tuple[datetime, int] | None = None,
) -> SyncOutcome:
    """Plan a validated batch and preview, apply, hold, approve or discard it (one transaction).

    ``release_frames``: the batch's frames are let go once staged (see ``stage_batch``).
    ``begun``: the run was begun already in this transaction (``_begin``: when, the version).
    """
    if mode not in MODES or action not in ACTIONS:
        raise SyncRefusedError(f"mode must be one of {MODES} and action one of {ACTIONS}.")
    if action != "run" and mode != "apply":
        raise SyncRefusedError(f"'{action}' is an apply-mode action; a preview only previews.")
    run_id = run_id or uuid.uuid4().hex
    batch = validated.batch
    started, live_version = begun or _begin(con)
    if action == "discard":
        outcome = discard(con, batch.batch_id, run_id)
        record_run(con, outcome, settings, live_version, "", started)
        return outcome
    if batch.refusal is not None:
        outcome = _reject(con, validated, settings, run_id, mode, action, live_version)
        record_run(con, outcome, settings, live_version, "", started)
        return outcome
    stage_batch(
        con,
        batch,
        validated.files,
        manage_guardians=settings.manage_guardians,
        identity={"tenant": settings.tenant_id, "app": settings.application_id},
        release_frames=release_frames,
    )
    not_compared = changes.plan(con, settings)
    counts = change_counts.count(con)
    digest = change_counts.digest(con)
    files = pl.DataFrame(
        [(kind, batch.manifest.mode(kind), vf.rows_read) for kind, vf in validated.files.items()],
        schema={"kind": pl.String, "mode": pl.String, "rows_read": pl.Int64},
        orient="row",
    )
    status, said = decide(
        con,
        files=files,
        counts=counts,
        settings=settings,
        today=started.date(),
        mode=mode,
        action=action,
        batch_id=batch.batch_id,
        plan=(live_version, digest),
    )
    version = live_version
    if status == "applied":
        version, result = _apply(con, validated, settings, run_id)
    else:
        result = write_live(
            con,
            batch,
            validated.files,
            tenant_id=settings.tenant_id,
            application_id=settings.application_id,
            status=status,
            write_tables=False,
        )
    outcome = SyncOutcome(
        run_id,
        batch.batch_id,
        mode,
        action,
        status,
        said,
        counts,
        version,
        files=result.files,
        findings=result.findings,
        table_rows=result.table_rows,
        records_not_compared=not_compared,
    )
    record_run(con, outcome, settings, live_version, digest, started)
    return outcome


def _in_writer(
    store: Warehouse,
    settings: SyncSettings,
    mode: str,
    action: str,
    run_id: str,
    work: Callable[[duckdb.DuckDBPyConnection], SyncOutcome],
    batch_id: Callable[[], str],
    after_publish: Callable[[], None] | None = None,
) -> SyncOutcome:
    """``work`` in one writer session; a run that fails is recorded as failed (``batch_id``).

    ``after_publish``: see ``Warehouse.writer``.
    """
    try:
        with store.writer(after_publish) as con:
            return work(con)
    except (SyncRefusedError, WarehouseBusyError):
        raise
    except Exception:
        record_failure(store, batch_id(), run_id, mode, action, settings)
        raise


def sync_batch(
    validated: ValidatedBatch,
    store: Warehouse,
    settings: SyncSettings,
    *,
    mode: str = "apply",
    action: str = "run",
    run_id: str | None = None,
) -> SyncOutcome:
    """Sync a validated batch into the warehouse; a run that fails is recorded as failed."""
    run_id = run_id or uuid.uuid4().hex
    return _in_writer(
        store,
        settings,
        mode,
        action,
        run_id,
        partial(
            sync_validated,
            validated=validated,
            settings=settings,
            mode=mode,
            action=action,
            run_id=run_id,
        ),
        lambda: validated.batch.batch_id,
    )


def _carried(
    con: duckdb.DuckDBPyConnection,
    begun: tuple[datetime, int],
    folder: Path,
    settings: SyncSettings,
    run_id: str,
    scope_school: str | None,
    limits: ArchiveLimits | None,
) -> SyncOutcome | None:
    """The run of a re-sent batch, carried over from the one that made the live tables."""
    started, live_version = begun
    carried = resend.carry_over(
        con,
        folder,
        settings,
        run_id=run_id,
        received_at=received_now(),
        scope_school=scope_school,
        limits=limits,
    )
    if carried is None:
        return None
    outcome = SyncOutcome(
        run_id,
        carried.batch_id,
        "apply",
        "run",
        "applied",
        [],
        carried.counts,
        carried.version,
        files=carried.files,
        findings=carried.findings,
        table_rows=carried.table_rows,
        carried_from=carried.carried_from,
    )
    record_run(con, outcome, settings, live_version, carried.digest, started)
    return outcome


def sync_folder(
    folder: Path,
    store: Warehouse,
    settings: SyncSettings,
    *,
    mode: str = "apply",
    action: str = "run",
    run_id: str | None = None,
    scope_school: str | None = None,
    limits: ArchiveLimits | None = None,
    carry_over: bool = True,
    remember_rows: bool = True,
) -> SyncOutcome:
    """Read, validate and sync one batch (a folder or a .zip) into the warehouse.

    An apply of a re-sent batch (``resend``: the bytes of the batch that made the live tables)
    is recorded without reading it again, unless ``carry_over`` is off. With ``remember_rows``,
    rows the last batch validated without a finding are not read again (``row_memo``).
    """
    run_id = run_id or uuid.uuid4().hex
    read: list[ValidatedBatch] = []
    left: list[LiveMark] = []
    memo = RowMemo(memo_path(store.path), settings.region) if remember_rows else None

    def work(con: duckdb.DuckDBPyConnection) -> SyncOutcome:
        begun = _begin(con)  # once, whether the batch is carried over or read
        if carry_over and mode == "apply" and action == "run":
            outcome = _carried(con, begun, folder, settings, run_id, scope_school, limits)
            if outcome is not None:
                return outcome
        stamp = history.version_stamp(con)
        read.append(read_validated(con, folder, settings.region, scope_school, limits, memo, stamp))
        if memo is not None:  # its rows written now: the frames go once staged
            memo.set_aside(read[0])
        outcome = sync_validated(
            con,
            read[0],
            settings,
            mode=mode,
            action=action,
            run_id=run_id,
            release_frames=True,
            begun=begun,
        )
        outcome.rows_recognised = rows_recognised(read[0])
        if memo is not None:  # which of the rows the memo keeps are now their live records
            applied = outcome.status == "applied"
            kept = not_as_read(con, read[0]) if applied else {}
            staged = outcome.status in STAGED  # a rejected or discarded batch stages nothing
            rest = others(con, read[0], applied) if staged else {}
            left.append(LiveMark(history.version_stamp(con), applied, kept, rest))
        return outcome

    def remember() -> None:
        # once published, DuckDB's memory given back; under the writer lock: one run at a time
        if memo is not None and read:
            memo.keep(read[0], left[0] if left else None)

    return _in_writer(
        store,
        settings,
        mode,
        action,
        run_id,
        work,
        lambda: read[0].batch.batch_id if read else folder.name,
        remember,
    )
