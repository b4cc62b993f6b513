"""The daily sync asset: one batch folder, previewed or applied, under the district's settings."""

from pathlib import Path

import dagster as dg

from roster_pipeline.defs.resources import DistrictResource
from roster_pipeline.defs.sync.partitions import sync_partitions
from roster_pipeline.defs.sync_run import SyncRunConfig, checked, run_metadata
from roster_pipeline.runner.sync_runner import run_sync
from roster_pipeline.sync.drop_folder import batch_folder


@dg.asset(
    partitions_def=sync_partitions,
    group_name="sync",
    kinds={"duckdb"},
    deps=["users", "classes", "enrollments", "student_guardians"],
)
def roster_sync(
    context: dg.AssetExecutionContext, config: SyncRunConfig, district: DistrictResource
) -> dg.MaterializeResult:
    """A batch from the drop folder compared with the live tables and, in ``apply``, applied.

    ``preview`` records the change set (sync_plan) and changes nothing live. ``apply`` writes it
    in one transaction, or holds it when a safeguard trips (a truncated or empty file, too many
    deactivations or updates). Every run is a row of sync_runs; every change a row of change_log.
    """
    keys = context.partition_key.keys_by_dimension
    settings = district.settings()
    try:
        folder = batch_folder(Path(settings.drop_dir), keys["batch"])
    except ValueError as refused:
        raise dg.Failure(str(refused)) from None
    if not folder.exists():
        raise dg.Failure(
            f"batch {keys['batch']!r} is not in the drop folder ({settings.drop_dir}): put the "
            "export there as a folder or a .zip of that name."
        )
    run = run_sync(
        folder, settings, mode=keys["mode"], action=config.action, run_id=context.run.run_id
    )
    if run.outcome is not None:
        outcome = run.outcome
        context.log.info(
            f"sync {outcome.batch_id} ({outcome.mode}, {outcome.action}): {run.status}, "
            f"{outcome.counts.totals()}"
        )
    return dg.MaterializeResult(metadata=run_metadata(checked(run)))
