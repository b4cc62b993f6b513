"""The one way a sync is run and reported, whoever asks (asset, job, district, command line).

``run_sync`` warms up the report's plotting while the sync runs, syncs a batch (a folder, a
.zip, or one already validated by the assets), turns a refusal into an outcome, writes the
results workbook and plot, and judges the run by the failure policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from roster_pipeline import findings
from roster_pipeline.reports import sync_plot
from roster_pipeline.reports.sync_report import SyncReport, write_sync_report
from roster_pipeline.runner.policy import (
    APPLIED,
    APPLIED_WITH_ERRORS,
    HELD,
    POLICY,
    REFUSED,
    Verdict,
)
from roster_pipeline.schemas.validate_file import ValidatedBatch
from roster_pipeline.settings.model import DistrictSettings
from roster_pipeline.sync.outcome import SyncOutcome
from roster_pipeline.sync.run import SyncRefusedError, sync_batch, sync_folder
from roster_pipeline.warehouse import WarehouseBusyError


@dataclass(frozen=True)
class SyncRun:
    """A finished sync run: its outcome (none when refused), report and verdict."""

    status: str
    """A key of the failure policy: applied, applied with errors, previewed, held, ..."""
    outcome: SyncOutcome | None
    report: SyncReport | None
    refused: Exception | None = None
    """Why nothing was done (a stale plan, nothing held, another writer), when refused."""

    @property
    def refusal(self) -> str:
        """The refusal's reason, or "" when the run was not refused."""
        return str(self.refused or "")

    @property
    def verdict(self) -> Verdict:
        """What the policy says of this run."""
        return POLICY[self.status]

    @property
    def ok(self) -> bool:
        """Whether the run succeeded."""
        return self.verdict.ok

    def message(self) -> str:
        """One paragraph for people: what happened and what to do next (no personal data)."""
        if self.outcome is None:
            return f"Sync refused, nothing applied: {self.refusal}"
        outcome = self.outcome
        reasons = " ".join(outcome.reasons)
        if self.status == HELD:
            return (
                f"Sync held, nothing applied: {reasons} Review sync_plan, then launch the apply "
                "again with config action: approve (or action: discard)."
            )
        if self.status == "rejected":
            return f"Batch rejected, nothing applied: {reasons}"
        if self.status == "discarded":
            return "Batch discarded as asked: nothing was applied."
        text = f"Batch {outcome.batch_id} {outcome.status}: {outcome.counts.totals()}."
        if outcome.carried_from:
            text += (
                f" Its files are byte for byte those of {outcome.carried_from}, which made the "
                "live tables: that sync's result was carried over, nothing was read again."
            )
        elif outcome.rows_recognised:
            text += (
                f" {outcome.rows_recognised} rows were recognised from the last batch (validated "
                "then without a finding) and not read again"
            )
            if outcome.records_not_compared:
                text += (
                    f"; {outcome.records_not_compared} records were known to stay as they are "
                    "and not compared"
                )
            text += "."
        if self.status == APPLIED_WITH_ERRORS:
            text += f" {outcome.rows_rejected} rows were rejected by errors; see the findings."
        return text


def _status(outcome: SyncOutcome) -> str:
    if outcome.status != APPLIED:
        return outcome.status
    errors = outcome.findings.filter(pl.col("severity") == findings.ERROR).height
    return APPLIED_WITH_ERRORS if errors else APPLIED


def run_sync(
    batch: Path | ValidatedBatch,
    settings: DistrictSettings,
    *,
    mode: str = "apply",
    action: str = "run",
    run_id: str | None = None,
) -> SyncRun:
    """Sync ``batch`` into the district's warehouse under its settings, report and judge it."""
    sync_plot.warm_up()  # the report's plotting import, while the sync runs
    store = settings.warehouse()
    plain = settings.sync_settings()
    try:
        if isinstance(batch, ValidatedBatch):
            outcome = sync_batch(batch, store, plain, mode=mode, action=action, run_id=run_id)
        else:
            outcome = sync_folder(
                Path(batch),
                store,
                plain,
                mode=mode,
                action=action,
                run_id=run_id,
                scope_school=settings.school,
                limits=settings.archive_limits(),
            )
    except (SyncRefusedError, WarehouseBusyError) as refused:
        return SyncRun(REFUSED, None, None, refused=refused)
    report = write_sync_report(outcome, settings.results_folder())
    return SyncRun(_status(outcome), outcome, report)
