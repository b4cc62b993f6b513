"""Many districts in one code location: one sync asset per district, run in parallel.

The districts are the sub-folders of ``ROSTER_DISTRICTS_DIR`` (a code-location setting, read
when the location loads; reload it after adding a district). Each district keeps its own files
and its own DuckDB file, so districts never share a writer and run independently:

    <ROSTER_DISTRICTS_DIR>/<tenant>/drop/<batch>/users.csv ...   exports, one folder per batch
    <ROSTER_DISTRICTS_DIR>/<tenant>/roster.duckdb                 that district's tables
    <ROSTER_DISTRICTS_DIR>/<tenant>/results/sync-<batch>-....xlsx  each run's results workbook

The job ``sync_all_districts`` applies each district's newest complete batch, one step per
district, in parallel processes (Dagster's multiprocess executor).
"""

import os
import re
from dataclasses import replace
from pathlib import Path

import dagster as dg

from roster_pipeline.defs.roster import metadata
from roster_pipeline.defs.roster.resources import PROJECT_ROOT, RosterSettings
from roster_pipeline.defs.sync.assets import held_failure
from roster_pipeline.defs.sync.resources import DistrictSettings
from roster_pipeline.reports import sync_plot
from roster_pipeline.reports.sync_report import write_sync_report
from roster_pipeline.sync.drop_folder import complete_batches
from roster_pipeline.sync.run import SyncRefusedError, sync_folder
from roster_pipeline.warehouse import Warehouse, WarehouseBusyError

DISTRICTS_DIR = Path(
    os.environ.get("ROSTER_DISTRICTS_DIR", str(PROJECT_ROOT / "data" / "districts"))
)
TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")
"""Folder names usable as asset key parts and tenant ids."""


def district_names(root: Path = DISTRICTS_DIR) -> list[str]:
    """The districts under ``root``: sub-folders with a ``drop`` folder, sorted."""
    if not root.is_dir():
        return []
    return sorted(d.name for d in root.iterdir() if TENANT.match(d.name) and (d / "drop").is_dir())


def district_sync_asset(tenant: str, root: Path = DISTRICTS_DIR) -> dg.AssetsDefinition:
    """The sync of one district: its newest complete batch applied to its own DuckDB file."""

    @dg.asset(
        key=[tenant, "district_sync"],
        group_name="districts",
        kinds={"duckdb"},
        description=f"District {tenant}: apply the newest complete batch of its drop folder.",
    )
    def district_sync(
        context: dg.AssetExecutionContext, settings: RosterSettings, district: DistrictSettings
    ) -> dg.MaterializeResult:
        home = root / tenant
        ready = complete_batches(home / "drop", district.settle_seconds)
        if not ready:
            raise dg.Failure(f"district {tenant}: no complete batch in its drop folder.")
        sync_settings = replace(district.sync_settings(settings), tenant_id=tenant)
        try:
            sync_plot.warm_up()  # the report's plotting import, while the sync runs
            outcome = sync_folder(
                home / "drop" / ready[-1],
                Warehouse(home / "roster.duckdb"),
                sync_settings,
                run_id=context.run.run_id,
            )
        except (SyncRefusedError, WarehouseBusyError) as refused:
            raise dg.Failure(str(refused)) from None
        report = write_sync_report(outcome, home / "results")
        if outcome.status != "applied":
            raise held_failure(outcome, report)
        context.log.info(f"district {tenant}: {outcome.batch_id} {outcome.counts.totals()}")
        return dg.MaterializeResult(
            metadata={
                **metadata.sync_outcome(outcome, report),
                "duckdb_path": dg.MetadataValue.path(str(home / "roster.duckdb")),
            }
        )

    return district_sync


DISTRICT_ASSETS = [district_sync_asset(t) for t in district_names()]

sync_all_districts = dg.define_asset_job(
    "sync_all_districts",
    selection=dg.AssetSelection.groups("districts"),
    executor_def=dg.multiprocess_executor,
    description="Every district's newest batch, one step per district, in parallel processes.",
)

defs = dg.Definitions(assets=DISTRICT_ASSETS, jobs=[sync_all_districts])


def districts_job(root: str, settle_seconds: float = 60.0) -> dg.JobDefinition:
    """``sync_all_districts`` over the districts under ``root`` (for scripts and tests).

    Reconstructable in another process:
    ``dg.build_reconstructable_job(__name__, "districts_job", reconstructable_args=(root,))``.
    """
    from roster_pipeline.defs.roster.definitions import roster_resources

    folder = Path(root)
    assets = [district_sync_asset(t, folder) for t in district_names(folder)]
    resources = roster_resources(district=DistrictSettings(settle_seconds=settle_seconds))
    return dg.Definitions(
        assets=assets, jobs=[sync_all_districts], resources=resources
    ).resolve_job_def("sync_all_districts")
