"""A sync run in Dagster: the run config, and the runner's verdict as a result or a failure."""

from datetime import UTC, date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

import dagster as dg

from roster_pipeline.defs import metadata
from roster_pipeline.notify.notice import notice_for
from roster_pipeline.runner.sync_runner import SyncRun
from roster_pipeline.settings.model import DistrictSettings

NOTICE = "notice"
"""The metadata entry of a run that needs people: what the notification sensors send."""


class SyncRunConfig(dg.Config):
    """What an apply run does with its batch."""

    action: Literal["run", "approve", "discard"] = "run"
    """run: apply unless a safeguard holds it; approve: apply a held batch as planned;
    discard: close a held batch without applying it."""


def run_metadata(run: SyncRun, settings: DistrictSettings | None = None) -> dict[str, object]:
    """The run's metadata: status, verdict, counts, summary and plot (no personal data).

    With the district's settings, the workbook's download link where its results are served,
    and, when the run needs people, the ``notice`` the notification sensors send.
    """
    shown: dict[str, object] = {"verdict": run.status}
    if run.outcome is not None:
        shown |= metadata.sync_outcome(run.outcome, run.report)
    if settings is None:
        return shown
    link = None
    if run.report is not None:
        link = settings.results_link(run.report.workbook)
        shown |= metadata.downloads(results_workbook=link)
    notice = notice_for(run, settings.tenant_id, link)
    if notice is not None:
        shown[NOTICE] = dg.MetadataValue.json(notice.as_json())
    return shown


RUN_KEY_TAG = "dagster/run_key"
"""The tag Dagster puts on a run requested with a run key."""


def already_requested(instance: dg.DagsterInstance, run_key: str) -> bool:
    """Whether a run with ``run_key`` exists, whatever became of it.

    A schedule's run keys dedupe only within one tick; without this a daily schedule would
    apply yesterday's batch again (or hold it again, and tell people again) every day until a
    new one arrives. A held or failed batch is run again by hand (the Launchpad).
    """
    runs = instance.get_run_records(filters=dg.RunsFilter(tags={RUN_KEY_TAG: run_key}), limit=1)
    return bool(runs)


def tick_day(context: dg.ScheduleEvaluationContext, zone: str) -> date:
    """The day of a schedule's tick in ``zone`` (now, when evaluated by hand or in a test)."""
    try:
        when = context.scheduled_execution_time
    except Exception:  # Dagster raises a check error when no time was set
        when = None
    when = when or datetime.now(UTC)
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(ZoneInfo(zone)).date()


def checked(run: SyncRun, settings: DistrictSettings) -> SyncRun:
    """``run`` if the failure policy calls it a success; else the run fails with its message."""
    if not run.ok:
        raise dg.Failure(description=run.message(), metadata=run_metadata(run, settings))
    return run
