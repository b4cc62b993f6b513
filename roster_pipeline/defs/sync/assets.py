"""The daily sync asset: one batch folder, previewed or applied, under the district's settings."""

from pathlib import Path

import dagster as dg

from roster_pipeline.defs.roster import metadata
from roster_pipeline.defs.roster.resources import RosterSettings, RosterWarehouse
from roster_pipeline.defs.sync.partitions import sync_partitions
from roster_pipeline.defs.sync.resources import DistrictSettings
from roster_pipeline.reports import sync_plot
from roster_pipeline.reports.sync_report import SyncReport, write_sync_report
from roster_pipeline.sync.drop_folder import batch_folder
from roster_pipeline.sync.run import REJECTED, SyncOutcome, SyncRefusedError, sync_folder
from roster_pipeline.warehouse import WarehouseBusyError


class SyncRunConfig(dg.Config):
    """What an apply run does with its batch."""

    action: str = "run"
    """run: apply unless a safeguard holds it; approve: apply a held batch as planned;
    discard: close a held batch without applying it."""


def held_failure(outcome: SyncOutcome, report: SyncReport | None = None) -> dg.Failure:
    """A held (or discarded) sync fails its run loudly, with the reasons: nothing was applied."""
    if outcome.status == "discarded":
        description = "Batch discarded as asked: nothing was applied."
    elif outcome.status == REJECTED:
        description = "Batch rejected, nothing applied: " + " ".join(outcome.reasons)
    else:
        description = (
            "Sync held, nothing applied: "
            + " ".join(outcome.reasons)
            + " Review sync_plan, then launch the apply again with config action: approve "
            "(or action: discard)."
        )
    return dg.Failure(description=description, metadata=metadata.sync_outcome(outcome, report))


@dg.asset(
    partitions_def=sync_partitions,
    group_name="sync",
    kinds={"duckdb"},
    deps=["users", "classes", "enrollments", "student_guardians"],
)
def roster_sync(
    context: dg.AssetExecutionContext,
    config: SyncRunConfig,
    settings: RosterSettings,
    district: DistrictSettings,
    warehouse: RosterWarehouse,
) -> dg.MaterializeResult:
    """A batch from the drop folder compared with the live tables and, in ``apply``, applied.

    ``preview`` records the change set (sync_plan) and changes nothing live. ``apply`` writes it
    in one transaction, or holds it when a safeguard trips (a truncated or empty file, too many
    deactivations or updates). Every run is a row of sync_runs; every change a row of change_log.
    """
    keys = context.partition_key.keys_by_dimension
    try:
        folder = batch_folder(Path(district.drop_dir), keys["batch"])
    except ValueError as refused:
        raise dg.Failure(str(refused)) from None
    if not folder.exists():
        raise dg.Failure(
            f"batch {keys['batch']!r} is not in the drop folder ({district.drop_dir}): put the "
            "export there as a folder or a .zip of that name."
        )
    try:
        sync_plot.warm_up()  # the report's plotting import, while the sync runs
        outcome = sync_folder(
            folder,
            warehouse.warehouse(),
            district.sync_settings(settings),
            mode=keys["mode"],
            action=config.action,
            run_id=context.run.run_id,
            scope_school=settings.scope_school,
            limits=settings.archive_limits(),
        )
    except (SyncRefusedError, WarehouseBusyError) as refused:
        raise dg.Failure(str(refused)) from None
    context.log.info(
        f"sync {outcome.batch_id} ({outcome.mode}, {outcome.action}): {outcome.status}, "
        f"{outcome.counts.totals()}"
    )
    report = write_sync_report(outcome, district.results_folder(warehouse.duckdb_path))
    if outcome.status in ("held", REJECTED):
        raise held_failure(outcome, report)
    return dg.MaterializeResult(metadata=metadata.sync_outcome(outcome, report))
