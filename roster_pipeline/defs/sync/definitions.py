"""The daily sync domain's definitions (its resources come with the roster's)."""

import dagster as dg

from roster_pipeline.defs.sync.assets import roster_sync
from roster_pipeline.defs.sync.automation import (
    daily_roster_sync,
    new_batch_sensor,
    roster_sync_job,
)

defs = dg.Definitions(
    assets=[roster_sync],
    jobs=[roster_sync_job],
    sensors=[new_batch_sensor],
    schedules=[daily_roster_sync],
)
