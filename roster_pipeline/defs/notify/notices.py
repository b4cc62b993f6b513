"""A finished sync run's notice, read back from its events (Dagster's side of ``notify``).

The run itself writes the notice into its metadata (``defs.sync_run.run_metadata``); a run
that failed before it could (an error, a crash) gets one made from its failure.
"""

import dagster as dg

from roster_pipeline.defs.districts.partitions import BATCH_TAG, DISTRICT_TAG
from roster_pipeline.defs.sync_run import NOTICE
from roster_pipeline.notify.notice import Notice, failed_notice

SYNC_BATCH_TAG = "dagster/partition/batch"
"""The batch of a single-district sync run (its multi-partition's batch dimension)."""


def run_batch(run: dg.DagsterRun) -> str:
    """The batch a sync run previewed or applied, from its tags ("" when not known)."""
    return run.tags.get(BATCH_TAG) or run.tags.get(SYNC_BATCH_TAG) or ""


def run_district(run: dg.DagsterRun) -> str | None:
    """The district of a many-district run (None: the code location's own district)."""
    return run.tags.get(DISTRICT_TAG)


def _notice_in(entries: dict[str, object]) -> Notice | None:
    value = entries.get(NOTICE)
    if isinstance(value, dg.JsonMetadataValue) and isinstance(value.data, dict):
        return Notice.from_json(value.data)
    return None


def success_notice(instance: dg.DagsterInstance, run: dg.DagsterRun) -> Notice | None:
    """The notice a successful run left (applied with errors), or None."""
    records = instance.get_records_for_run(
        run_id=run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
    ).records
    for record in records:
        materialization = record.event_log_entry.asset_materialization
        if materialization is not None:
            found = _notice_in(dict(materialization.metadata))
            if found is not None:
                return found
    return None


def failure_notice(context: dg.RunFailureSensorContext, district: str) -> Notice:
    """The notice of a failed run: the one its sync left (held, ...), else its error."""
    errors = []
    for event in context.get_step_failure_events():
        failure = event.step_failure_data
        if failure.user_failure_data is not None:
            found = _notice_in(dict(failure.user_failure_data.metadata))
            if found is not None:
                return found
        if failure.error is not None:
            errors.append(failure.error.message)
    error = " ".join(errors) or (context.failure_event.message or "the run failed")
    return failed_notice(district, run_batch(context.dagster_run), error)
