"""Each district's sync: a batch of its drop folder previewed or applied to its own DuckDB file."""

from pathlib import Path
from typing import Literal

import dagster as dg

from roster_pipeline.defs.districts.partitions import districts
from roster_pipeline.defs.districts.resources import DistrictsFolder
from roster_pipeline.defs.sync_run import checked, run_metadata
from roster_pipeline.runner.sync_runner import run_sync
from roster_pipeline.sync.drop_folder import complete_batches


class DistrictSyncConfig(dg.Config):
    """Which batch of the district's drop folder, and what to do with it."""

    batch: str = ""
    """The batch folder (or .zip) name; blank: the newest complete batch."""
    mode: Literal["apply", "preview"] = "apply"
    """apply: change the district's tables; preview: plan only (the sensor's run on arrival)."""
    action: Literal["run", "approve", "discard"] = "run"
    """run: apply unless a safeguard holds it; approve: apply a held batch as planned;
    discard: close a held batch without applying it."""


@dg.asset(partitions_def=districts, group_name="districts", kinds={"duckdb"})
def district_sync(
    context: dg.AssetExecutionContext, config: DistrictSyncConfig, districts_folder: DistrictsFolder
) -> dg.MaterializeResult:
    """One district (the partition): a batch previewed or applied to its own DuckDB file.

    Under its own settings (``<tenant>/district.toml``), through the same runner as every sync.
    """
    tenant = context.partition_key
    settings = districts_folder.settings(tenant)
    ready = complete_batches(Path(settings.drop_dir), settings.settle_seconds)
    batch = config.batch or (ready[-1] if ready else "")
    if batch not in ready:
        wanted = f"batch {batch!r}" if batch else "a complete batch"
        raise dg.Failure(f"district {tenant}: no {wanted} in {settings.drop_dir}.")
    run = run_sync(
        Path(settings.drop_dir) / batch,
        settings,
        mode=config.mode,
        action=config.action,
        run_id=context.run.run_id,
    )
    if run.outcome is not None:
        context.log.info(f"district {tenant}: {run.outcome.batch_id} {config.mode} {run.status}")
    return dg.MaterializeResult(
        metadata={
            **run_metadata(checked(run, settings), settings),
            "duckdb_path": dg.MetadataValue.path(settings.duckdb_path),
        }
    )
