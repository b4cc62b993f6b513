"""Districts registered as they appear, each new batch previewed, each district synced daily.

Every request is tagged with its district (``district``), so the run queue's per-district limit
keeps one sync per district at a time, and keyed by district and batch, so a batch is previewed
once and applied once however often the sensor and the schedule look.
"""

import json
from datetime import date
from pathlib import Path

import dagster as dg

from roster_pipeline.defs.districts.assets import district_sync
from roster_pipeline.defs.districts.partitions import BATCH_TAG, DISTRICT_TAG, MODE_TAG, districts
from roster_pipeline.defs.districts.resources import DistrictsFolder
from roster_pipeline.defs.sync_run import already_requested, tick_day
from roster_pipeline.settings.deployment import DeploymentSettings
from roster_pipeline.settings.values import SettingsError
from roster_pipeline.sync.calendar import period_of
from roster_pipeline.sync.drop_folder import complete_batches

sync_district_job = dg.define_asset_job(
    "sync_district",
    selection=[district_sync],
    description="One district's batch previewed or applied (pick the district; config: batch, "
    "mode, action); each district its own run.",
    # One step: run it in the run's own process. The multiprocess executor would start a second
    # Python process per run for it (measured: 5.8 s of a 13 s run; docs/deployment.md).
    executor_def=dg.in_process_executor,
)


def district_request(tenant: str, batch: str, mode: str) -> dg.RunRequest:
    """The run of one district's batch: tagged with district, batch and mode, keyed by them."""
    return dg.RunRequest(
        partition_key=tenant,
        run_key=f"{tenant}:{batch}" + (":preview" if mode == "preview" else ""),
        run_config=dg.RunConfig(
            ops={
                district_sync.key.to_python_identifier(): {"config": {"batch": batch, "mode": mode}}
            }
        ),
        tags={DISTRICT_TAG: tenant, BATCH_TAG: batch, MODE_TAG: mode},
    )


def sensor_status(deployment: DeploymentSettings) -> dg.DefaultSensorStatus:
    """Running as the code location loads when ROSTER_AUTOMATION is on, else stopped."""
    return (
        dg.DefaultSensorStatus.RUNNING if deployment.automation else dg.DefaultSensorStatus.STOPPED
    )


def schedule_status(deployment: DeploymentSettings) -> dg.DefaultScheduleStatus:
    """:func:`sensor_status` for a schedule."""
    return (
        dg.DefaultScheduleStatus.RUNNING
        if deployment.automation
        else dg.DefaultScheduleStatus.STOPPED
    )


def district_folders_sensor(deployment: DeploymentSettings) -> dg.SensorDefinition:
    """The sensor that registers new district folders and previews each new batch."""

    @dg.sensor(
        name="new_district_sensor",
        job=sync_district_job,
        minimum_interval_seconds=deployment.sensor_interval,
        default_status=sensor_status(deployment),
    )
    def new_district_sensor(
        context: dg.SensorEvaluationContext, districts_folder: DistrictsFolder
    ) -> dg.SensorResult | dg.SkipReason:
        """Registers new district folders (no reload) and previews each newest new batch.

        A district folder of ROSTER_DISTRICTS_DIR becomes a partition; each district's newest
        complete batch is previewed once, as it arrives (the apply waits for the schedule).
        """
        known = set(context.instance.get_dynamic_partitions(districts.name))
        tenants = districts_folder.tenants()
        new = [t for t in tenants if t not in known]
        previewed: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
        requests = []
        for tenant in tenants:
            try:
                settings = districts_folder.settings(tenant)
            except SettingsError as bad:
                context.log.warning(f"{tenant}: {bad}")
                continue
            ready = complete_batches(Path(settings.drop_dir), settings.settle_seconds)
            if ready and previewed.get(tenant) != ready[-1]:
                requests.append(district_request(tenant, ready[-1], "preview"))
                previewed[tenant] = ready[-1]
        if not new and not requests:
            return dg.SkipReason(f"no new district or batch ({len(known)} districts)")
        return dg.SensorResult(
            dynamic_partitions_requests=[districts.build_add_request(new)] if new else [],
            run_requests=requests,
            cursor=json.dumps(previewed, sort_keys=True),
        )

    return new_district_sensor


def district_run_requests(
    context: dg.ScheduleEvaluationContext | dg.SensorEvaluationContext,
    folder: DistrictsFolder,
    day: date,
) -> list[dg.RunRequest | dg.SkipReason]:
    """An apply per registered district whose daily sync is due, else a reason why not.

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
            request = district_request(tenant, ready[-1], "apply")
            if already_requested(context.instance, request.run_key or ""):
                decided.append(dg.SkipReason(f"{tenant}: {ready[-1]} already applied or held"))
            else:
                decided.append(request)
    return decided


def daily_districts_schedule(deployment: DeploymentSettings) -> dg.ScheduleDefinition:
    """Every district's daily sync, one run each, at the deployment's cron and time zone."""
    zone = deployment.sync_timezone

    @dg.schedule(
        name="daily_district_syncs",
        job=sync_district_job,
        cron_schedule=deployment.sync_cron,
        execution_timezone=zone,
        default_status=schedule_status(deployment),
    )
    def daily_district_syncs(
        context: dg.ScheduleEvaluationContext, districts_folder: DistrictsFolder
    ) -> list[dg.RunRequest] | dg.SkipReason:
        """An apply for each district with daily sync on and a complete batch (its own run)."""
        decided = district_run_requests(context, districts_folder, tick_day(context, zone))
        runs = [d for d in decided if isinstance(d, dg.RunRequest)]
        if runs:
            return runs
        return dg.SkipReason("; ".join(d.skip_message or "" for d in decided) or "no district")

    return daily_district_syncs
