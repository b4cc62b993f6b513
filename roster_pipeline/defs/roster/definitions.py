"""The roster domain's definitions."""

import dagster as dg

from roster_pipeline.defs.roster import assets
from roster_pipeline.defs.roster.checks import roster_checks
from roster_pipeline.defs.roster.io_manager import FrameStoreIOManager
from roster_pipeline.defs.roster.jobs import roster_load_job
from roster_pipeline.defs.roster.resources import RosterSettings, RosterWarehouse
from roster_pipeline.defs.sync.resources import DistrictSettings

ROSTER_ASSETS = [assets.raw_roster_files, assets.validated_roster_files, assets.roster_tables]


def roster_resources(
    data_dir: str | None = None,
    duckdb_path: str | None = None,
    work_dir: str | None = None,
    district: DistrictSettings | None = None,
    **settings: object,
) -> dict[str, object]:
    """The resources, from the environment unless given (tests and benchmarks pass paths)."""
    given = {"data_dir": data_dir, **settings} if data_dir else settings
    warehouse = RosterWarehouse(duckdb_path=duckdb_path) if duckdb_path else RosterWarehouse()
    return {
        "settings": RosterSettings(**given),
        "warehouse": warehouse,
        "frame_store": FrameStoreIOManager(base_dir=work_dir),
        "district": district or DistrictSettings(),
    }


defs = dg.Definitions(
    assets=ROSTER_ASSETS,
    asset_checks=roster_checks,
    jobs=[roster_load_job],
    resources=roster_resources(),
)
