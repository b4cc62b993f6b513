"""The roster domain's definitions (its resources come from the root definitions)."""

import dagster as dg

from roster_pipeline.defs.roster import assets
from roster_pipeline.defs.roster.checks import roster_checks
from roster_pipeline.defs.roster.jobs import roster_load_job

ROSTER_ASSETS = [assets.raw_roster_files, assets.validated_roster_files, assets.roster_tables]

defs = dg.Definitions(assets=ROSTER_ASSETS, asset_checks=roster_checks, jobs=[roster_load_job])


def materialize_batch(data_dir: str, duckdb_path: str, work_dir: str) -> bool:
    """Load one batch through the real roster assets and checks (the benchmark's pipeline)."""
    from roster_pipeline.defs.resources import roster_resources

    result = dg.materialize(
        [*ROSTER_ASSETS, *roster_checks],
        resources=roster_resources(work_dir=work_dir, data_dir=data_dir, duckdb_path=duckdb_path),
    )
    return result.success
