"""Each district's sync: its newest complete batch applied to its own DuckDB file."""

from pathlib import Path

import dagster as dg

from roster_pipeline.defs.districts.partitions import districts
from roster_pipeline.defs.districts.resources import DistrictsFolder
from roster_pipeline.defs.sync_run import checked, run_metadata
from roster_pipeline.runner.sync_runner import run_sync
from roster_pipeline.sync.drop_folder import complete_batches


@dg.asset(partitions_def=districts, group_name="districts", kinds={"duckdb"})
def district_sync(
    context: dg.AssetExecutionContext, districts_folder: DistrictsFolder
) -> dg.MaterializeResult:
    """One district (the partition): its newest complete batch applied to its own DuckDB file.

    Under its own settings (``<tenant>/district.toml``), through the same runner as every sync.
    """
    tenant = context.partition_key
    settings = districts_folder.settings(tenant)
    ready = complete_batches(Path(settings.drop_dir), settings.settle_seconds)
    if not ready:
        raise dg.Failure(f"district {tenant}: no complete batch in {settings.drop_dir}.")
    run = run_sync(Path(settings.drop_dir) / ready[-1], settings, run_id=context.run.run_id)
    if run.outcome is not None:
        context.log.info(f"district {tenant}: {run.outcome.batch_id} {run.status}")
    return dg.MaterializeResult(
        metadata={
            **run_metadata(checked(run), settings),
            "duckdb_path": dg.MetadataValue.path(settings.duckdb_path),
        }
    )
