"""Districts registered as they appear, and each synced daily in its own run."""

from datetime import date
from pathlib import Path

import dagster as dg

from roster_pipeline.defs.districts.assets import district_sync
from roster_pipeline.defs.districts.partitions import DISTRICT_TAG, districts
from roster_pipeline.defs.districts.resources import DistrictsFolder
from roster_pipeline.defs.sync_run import tick_day
from roster_pipeline.settings.model import DeploymentSettings
from roster_pipeline.settings.values import SettingsError
from roster_pipeline.sync.calendar import period_of
from roster_pipeline.sync.drop_folder import complete_batches

sync_district_job = dg.define_asset_job(
    "sync_district",
    selection=[district_sync],
    description="One district's newest batch (pick the district); each district its own run.",
)


@dg.sensor(minimum_interval_seconds=60)
def new_district_sensor(
    context: dg.SensorEvaluationContext, districts_folder: DistrictsFolder
) -> dg.SensorResult | dg.SkipReason:
    """Registers each new district folder of ROSTER_DISTRICTS_DIR as a partition (no reload)."""
    known = set(context.instance.get_dynamic_partitions(districts.name))
    new = [t for t in districts_folder.tenants() if t not in known]
    if not new:
        return dg.SkipReason(f"no new district ({len(known)} registered)")
    return dg.SensorResult(dynamic_partitions_requests=[districts.build_add_request(new)])


def district_run_requests(
    context: dg.ScheduleEvaluationContext | dg.SensorEvaluationContext,
    folder: DistrictsFolder,
    day: date,
) -> list[dg.RunRequest | dg.SkipReason]:
    """A run per registered district whose daily sync is due, else a reason why not.

    Due: 'Enable daily sync' on, not in a blackout period, a complete batch in its drop folder.
    """
    decided: list[dg.RunRequest | dg.SkipReason] = []
    for tenant in context.instance.get_dynamic_partitions(districts.name):
        try:
            settings = folder.settings(tenant)
        except SettingsError as bad:
            decided.append(dg.SkipReason(f"{tenant}: {bad}"))
            continue
        blackout = period_of(day, settings.blackouts())
        ready = complete_batches(Path(settings.drop_dir), settings.settle_seconds)
        if not settings.enable_daily_sync:
            decided.append(dg.SkipReason(f"{tenant}: 'Enable daily sync' is off"))
        elif blackout is not None:
            decided.append(dg.SkipReason(f"{tenant}: blackout period {blackout.text}"))
        elif not ready:
            decided.append(dg.SkipReason(f"{tenant}: no complete batch"))
        else:
            decided.append(
                dg.RunRequest(
                    partition_key=tenant,
                    run_key=f"{tenant}:{ready[-1]}",
                    tags={DISTRICT_TAG: tenant},
                )
            )
    return decided


def daily_districts_schedule(deployment: DeploymentSettings) -> dg.ScheduleDefinition:
    """Every district's daily sync, one run each, at the deployment's cron and time zone."""
    zone = deployment.sync_timezone

    @dg.schedule(
        name="daily_district_syncs",
        job=sync_district_job,
        cron_schedule=deployment.sync_cron,
        execution_timezone=zone,
    )
    def daily_district_syncs(
        context: dg.ScheduleEvaluationContext, districts_folder: DistrictsFolder
    ) -> list[dg.RunRequest] | dg.SkipReason:
        """A run for each district with daily sync on and a complete batch (its own process)."""
        decided = district_run_requests(context, districts_folder, tick_day(context, zone))
        runs = [d for d in decided if isinstance(d, dg.RunRequest)]
        if runs:
            return runs
        return dg.SkipReason("; ".join(d.skip_message or "" for d in decided) or "no district")

    return daily_district_syncs
