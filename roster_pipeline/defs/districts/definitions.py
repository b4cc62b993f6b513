"""Many districts in one code location: each a partition of ``district_sync``, each run its own.

The districts are the folders of ``ROSTER_DISTRICTS_DIR``, registered by ``new_district_sensor``
as they appear (no code-location reload), which also previews each new batch. Each keeps its
own settings, files and DuckDB file, so districts never share a writer and run independently,
in parallel processes:

    <ROSTER_DISTRICTS_DIR>/<tenant>/district.toml                 that district's settings
    <ROSTER_DISTRICTS_DIR>/<tenant>/drop/<batch>/users.csv ...    exports, one folder per batch
    <ROSTER_DISTRICTS_DIR>/<tenant>/roster.duckdb                 that district's tables
    <ROSTER_DISTRICTS_DIR>/<tenant>/results/sync-<batch>-....xlsx each run's results workbook

The schedule ``daily_district_syncs`` requests one apply per district (tagged ``district``).
"""

import dagster as dg

from roster_pipeline.defs.districts.assets import district_sync
from roster_pipeline.defs.districts.automation import (
    daily_districts_schedule,
    district_folders_sensor,
    sync_district_job,
)
from roster_pipeline.defs.districts.resources import DistrictsFolder
from roster_pipeline.settings.deployment import DeploymentSettings


def districts_definitions(deployment: DeploymentSettings) -> dg.Definitions:
    """The districts' asset, job, sensor and schedule over ``deployment.districts_dir``."""
    return dg.Definitions(
        assets=[district_sync],
        jobs=[sync_district_job],
        sensors=[district_folders_sensor(deployment)],
        schedules=[daily_districts_schedule(deployment)],
        resources={"districts_folder": DistrictsFolder(districts_dir=deployment.districts_dir)},
    )


def district_job(districts_dir: str) -> dg.JobDefinition:
    """``sync_district`` over the districts under ``districts_dir`` (scripts and tests).

    ``dg.build_reconstructable_job(__name__, "district_job", reconstructable_args=(dir,))``.
    """
    return dg.Definitions(
        assets=[district_sync],
        jobs=[sync_district_job],
        resources={"districts_folder": DistrictsFolder(districts_dir=districts_dir)},
    ).resolve_job_def("sync_district")
