"""The daily sync domain's definitions (the schedule follows the deployment's settings)."""

import dagster as dg

from roster_pipeline.defs.sync.assets import roster_sync
from roster_pipeline.defs.sync.automation import (
    daily_sync_schedule,
    new_batch_sensor,
    roster_sync_job,
)
from roster_pipeline.settings.deployment import DeploymentSettings


def sync_definitions(deployment: DeploymentSettings, daily_sync_on: bool) -> dg.Definitions:
    """The sync asset, its job, the new-batch sensor and the daily schedule."""
    return dg.Definitions(
        assets=[roster_sync],
        jobs=[roster_sync_job],
        sensors=[new_batch_sensor],
        schedules=[daily_sync_schedule(deployment, daily_sync_on)],
    )
