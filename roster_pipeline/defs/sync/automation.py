"""When syncs run: a sensor for new batch folders, and the daily schedule.

The sensor registers each new complete batch folder (and previews it); the schedule applies the
newest batch when 'Enable daily sync' is on.
"""

from pathlib import Path

import dagster as dg

from roster_pipeline.defs.resources import DistrictResource
from roster_pipeline.defs.sync.assets import roster_sync
from roster_pipeline.defs.sync.partitions import roster_batches, sync_key
from roster_pipeline.defs.sync_run import already_requested, tick_day
from roster_pipeline.settings.deployment import DeploymentSettings
from roster_pipeline.sync.calendar import period_of
from roster_pipeline.sync.drop_folder import complete_batches

roster_sync_job = dg.define_asset_job(
    "roster_sync_job",
    selection=[roster_sync],
    description="Preview or apply one batch of the drop folder (pick batch and mode).",
)


@dg.sensor(job=roster_sync_job, minimum_interval_seconds=60)
def new_batch_sensor(
    context: dg.SensorEvaluationContext, district: DistrictResource
) -> dg.SensorResult | dg.SkipReason:
    """Registers each complete new batch folder as a partition and previews it."""
    known = set(context.instance.get_dynamic_partitions(roster_batches.name))
    ready = complete_batches(Path(district.drop_dir), district.settle_seconds)
    new = [name for name in ready if name not in known]
    if not new:
        return dg.SkipReason(f"no new complete batch in the drop folder ({len(ready)} known)")
    return dg.SensorResult(
        dynamic_partitions_requests=[roster_batches.build_add_request(new)],
        run_requests=[
            dg.RunRequest(partition_key=sync_key(name, "preview"), run_key=f"{name}:preview")
            for name in new
        ],
    )


def daily_sync_schedule(deployment: DeploymentSettings, running: bool) -> dg.ScheduleDefinition:
    """The daily schedule at the deployment's cron and time zone (on when ``running``)."""
    zone = deployment.sync_timezone

    @dg.schedule(
        name="daily_roster_sync",
        job=roster_sync_job,
        cron_schedule=deployment.sync_cron,
        execution_timezone=zone,
        default_status=(
            dg.DefaultScheduleStatus.RUNNING if running else dg.DefaultScheduleStatus.STOPPED
        ),
    )
    def daily_roster_sync(
        context: dg.ScheduleEvaluationContext, district: DistrictResource
    ) -> dg.RunRequest | dg.SkipReason:
        """Applies the newest complete batch once a day (ROSTER_SYNC_CRON, ROSTER_SYNC_TIMEZONE)."""
        if not district.enable_daily_sync:
            return dg.SkipReason("'Enable daily sync' is off in the district settings.")
        settings = district.settings()
        day = tick_day(context, zone)
        blackout = period_of(day, settings.blackouts())
        if blackout is not None:
            return dg.SkipReason(
                f"{day} is in the blackout period {blackout.text} (district setting "
                "'Blackout dates', ROSTER_BLACKOUT_DATES): no daily sync today. A sync launched "
                "by hand still runs."
            )
        ready = complete_batches(Path(settings.drop_dir), settings.settle_seconds)
        if not ready:
            return dg.SkipReason("no complete batch in the drop folder")
        newest = ready[-1]
        if already_requested(context.instance, f"{newest}:apply"):
            return dg.SkipReason(
                f"the newest batch {newest} was applied (or held) already; a held batch is "
                "approved or discarded by hand"
            )
        if not context.instance.has_dynamic_partition(roster_batches.name, newest):
            context.instance.add_dynamic_partitions(roster_batches.name, [newest])
        return dg.RunRequest(partition_key=sync_key(newest, "apply"), run_key=f"{newest}:apply")

    return daily_roster_sync
