"""Run-status sensors: one message per held, failed or applied-with-errors sync.

They watch both sync jobs (the code location's own district and the many districts); each run
is told once (the sensors' cursors live in the instance's storage, so a daemon restart neither
repeats nor loses one), to the district's contacts by e-mail and to its webhook.
"""

import dagster as dg

from roster_pipeline.defs.districts.automation import sensor_status, sync_district_job
from roster_pipeline.defs.districts.resources import DistrictsFolder
from roster_pipeline.defs.notify.notices import failure_notice, run_district, success_notice
from roster_pipeline.defs.resources import DistrictResource
from roster_pipeline.defs.sync.automation import roster_sync_job
from roster_pipeline.notify.deliver import channels, deliver
from roster_pipeline.notify.email import NotifyError
from roster_pipeline.notify.notice import Notice
from roster_pipeline.settings.deployment import DeploymentSettings
from roster_pipeline.settings.model import DistrictSettings

SYNC_JOBS = [roster_sync_job, sync_district_job]


def _settings(
    run: dg.DagsterRun, district: DistrictResource, folder: DistrictsFolder
) -> DistrictSettings:
    tenant = run_district(run)
    return folder.settings(tenant) if tenant else district.settings()


def _tell(
    context: dg.RunStatusSensorContext,
    notice: Notice | None,
    settings: DistrictSettings,
    deployment: DeploymentSettings,
) -> dg.SkipReason:
    run_id = context.dagster_run.run_id
    if notice is None:
        return dg.SkipReason(f"run {run_id[:8]}: nobody needs to look at it")
    if not channels(settings):
        return dg.SkipReason(
            f"{settings.tenant_id}: {notice.verdict}, but no contacts (notify_emails) or webhook"
        )
    delivery = deliver(notice.linked(run_id, deployment.run_link(run_id)), settings, deployment)
    if delivery.lost:  # nothing reached anyone: fail the tick, the next one tries again
        raise NotifyError("; ".join(delivery.failed))
    for failed in delivery.failed:
        context.log.warning(f"{settings.tenant_id}: {failed}")
    sent = ", ".join(delivery.sent)
    context.log.info(f"{settings.tenant_id} {notice.verdict} (run {run_id[:8]}): {sent}")
    return dg.SkipReason(f"{settings.tenant_id}: {notice.verdict}, told by {sent}")


def notification_sensors(deployment: DeploymentSettings) -> list[dg.SensorDefinition]:
    """The two sensors (failed runs, successful runs that need people) for ``deployment``."""
    watching = {
        "monitored_jobs": SYNC_JOBS,
        "minimum_interval_seconds": deployment.sensor_interval,
        "default_status": sensor_status(deployment),
    }

    @dg.run_failure_sensor(name="notify_failed_syncs", **watching)
    def notify_failed_syncs(
        context: dg.RunFailureSensorContext,
        district: DistrictResource,
        districts_folder: DistrictsFolder,
    ) -> dg.SkipReason:
        """Tells the district's contacts of each held, rejected, refused or failed sync."""
        settings = _settings(context.dagster_run, district, districts_folder)
        return _tell(context, failure_notice(context, settings.tenant_id), settings, deployment)

    @dg.run_status_sensor(
        run_status=dg.DagsterRunStatus.SUCCESS, name="notify_syncs_with_errors", **watching
    )
    def notify_syncs_with_errors(
        context: dg.RunStatusSensorContext,
        district: DistrictResource,
        districts_folder: DistrictsFolder,
    ) -> dg.SkipReason:
        """Tells the district's contacts of each sync applied with rows rejected by errors."""
        settings = _settings(context.dagster_run, district, districts_folder)
        notice = success_notice(context.instance, context.dagster_run)
        return _tell(context, notice, settings, deployment)

    return [notify_failed_syncs, notify_syncs_with_errors]
