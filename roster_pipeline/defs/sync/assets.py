"""The sync of one batch of the drop folder: files, validated files, plan, published tables.

The plan is the preview; ``apply`` writes the tables, under the district's settings.
"""

from pathlib import Path

import dagster as dg

from roster_pipeline.defs import metadata
from roster_pipeline.defs.resources import DistrictResource
from roster_pipeline.defs.roster.checks import integrity_evaluations
from roster_pipeline.defs.sync.partitions import sync_partitions
from roster_pipeline.defs.sync.published import changed_tables, table_materializations
from roster_pipeline.defs.sync_run import SyncRunConfig, checked, run_metadata
from roster_pipeline.runner.sync_runner import SyncRun, run_sync
from roster_pipeline.sync.drop_folder import batch_folder

GROUP_SYNC = "sync"
SYNC_SPECS = [
    dg.AssetSpec(
        "raw_roster_files",
        group_name=GROUP_SYNC,
        kinds={"csv"},
        description="The batch's files as the district sent them (a folder or a .zip of the drop "
        "folder): rows read per file, the batch id and OneRoster version.",
    ),
    dg.AssetSpec(
        "validated_roster_files",
        group_name=GROUP_SYNC,
        kinds={"polars", "pandera"},
        deps=["raw_roster_files"],
        description="Each file normalized and validated row by row: rows applied and rejected "
        "per file, and the findings (file, line, column, code, message).",
    ),
    dg.AssetSpec(
        "sync_plan",
        group_name=GROUP_SYNC,
        kinds={"duckdb"},
        deps=["validated_roster_files"],
        description="The change set against the live tables (preview), or the sync that applied "
        "it (apply): created, updated, deactivated per entity, safeguards, the results workbook.",
    ),
]


def _file_results(run: SyncRun) -> list[dg.MaterializeResult]:
    outcome = run.outcome
    files = outcome.files
    read = {f: int(n) for f, n in files.select("file", "rows_read").iter_rows()}
    return [
        dg.MaterializeResult(
            asset_key="raw_roster_files",
            metadata={
                "batch_id": outcome.batch_id,
                "files": dg.MetadataValue.json(read),
                "dagster/row_count": sum(read.values()),
            },
        ),
        dg.MaterializeResult(
            asset_key="validated_roster_files",
            metadata={
                "batch_id": outcome.batch_id,
                "dagster/row_count": int(files["rows_applied"].sum()),
                "rows_rejected": int(files["rows_rejected"].sum()),
                "files": metadata.preview(files.drop("sha256", strict=False), rows=50),
                "findings": metadata.findings_table(outcome.findings),
                **metadata.counts(outcome.findings),
            },
        ),
    ]


@dg.multi_asset(specs=SYNC_SPECS, partitions_def=sync_partitions, name="roster_sync")
def roster_sync(
    context: dg.AssetExecutionContext, config: SyncRunConfig, district: DistrictResource
):
    """A batch from the drop folder compared with the live tables and, in ``apply``, applied.

    ``preview`` records the change set (sync_plan) and changes nothing live. ``apply`` writes it
    in one transaction, or holds it when a safeguard trips (a truncated or empty file, too many
    deactivations or updates); each table it changed is materialized and, if any did, the
    integrity checks run. Every run is a row of sync_runs; every change a row of change_log.
    """
    keys = context.partition_key.keys_by_dimension
    settings = district.settings()
    drop = Path(settings.drop_dir)
    try:
        folder = batch_folder(drop, keys["batch"])
    except ValueError as refused:
        raise dg.Failure(str(refused)) from None
    if not folder.exists():
        raise dg.Failure(
            f"batch {keys['batch']!r} is not in the drop folder ({drop}): put the export there "
            "as a folder or a .zip of that name (drop folder: ROSTER_DROP_DIR, or drop_dir in "
            "district.toml)."
        )
    run = run_sync(
        folder, settings, mode=keys["mode"], action=config.action, run_id=context.run.run_id
    )
    if run.outcome is not None:
        outcome = run.outcome
        context.log.info(
            f"sync {outcome.batch_id} ({outcome.mode}, {outcome.action}): {run.status}, "
            f"{outcome.counts.totals()}"
        )
        store = settings.warehouse()
        applied = outcome.status == "applied"
        for event in table_materializations(outcome, store, applied=applied):
            context.log_event(event)
        if applied and changed_tables(outcome):
            for evaluation in integrity_evaluations(store, outcome.version):
                context.log_event(evaluation)
        elif applied:  # the tables are the version the checks last judged
            context.log.info("No roster table changed: the integrity checks were not run again.")
    checked(run, settings)
    yield from _file_results(run)
    yield dg.MaterializeResult(asset_key="sync_plan", metadata=run_metadata(run, settings))
