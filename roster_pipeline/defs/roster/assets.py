"""Roster assets: raw files -> validated files -> resolved roster tables in DuckDB."""

from pathlib import Path

import dagster as dg
import polars as pl

from roster_pipeline import findings
from roster_pipeline.defs import metadata
from roster_pipeline.defs.resources import DistrictResource
from roster_pipeline.defs.sync_run import SyncRunConfig, checked, run_metadata
from roster_pipeline.intake.batch import RawBatch, read_batch
from roster_pipeline.intake.source import is_zip_batch
from roster_pipeline.runner.sync_runner import run_sync
from roster_pipeline.schemas.validate_file import ValidatedBatch, validate_batch
from roster_pipeline.tables import ROSTER_TABLES

GROUP_INTAKE, GROUP_VALIDATE, GROUP_ROSTER = "intake", "validate", "roster"
TABLE_ASSETS = (*ROSTER_TABLES, "student_guardians")
HISTORY_ASSETS = ("findings", "batches")

TABLE_FILES = {
    "orgs": "orgs",
    "academic_sessions": "academicSessions",
    "courses": "courses",
    "classes": "classes",
    "users": "users",
    "user_roles": "roles",
    "enrollments": "enrollments",
    "demographics": "demographics",
}
TABLE_DESCRIPTIONS = {
    "orgs": "Schools, districts and other organisations (orgs.csv).",
    "academic_sessions": "School years, terms and grading periods (academicSessions.csv).",
    "courses": "Courses (courses.csv).",
    "classes": "Classes, each at a resolved school (classes.csv).",
    "users": "Students, staff and guardians with normalized contacts (users.csv).",
    "user_roles": "OneRoster 1.2 roles: a user's role at each org (roles.csv).",
    "enrollments": "Users enrolled in classes; every reference resolved (enrollments.csv).",
    "demographics": "Demographics of users (demographics.csv, optional).",
    "student_guardians": "Typed links: student, guardian, relationship, source.",
    "findings": "Every problem found in every batch: file, line, column, code, severity, message.",
    "batches": "Every batch loaded: its files, hashes, row accounting and status.",
}


@dg.asset(group_name=GROUP_INTAKE, kinds={"polars", "csv"}, io_manager_key="frame_store")
def raw_roster_files(context: dg.AssetExecutionContext, district: DistrictResource) -> RawBatch:
    """The batch folder read as text: each file, every value a string, line numbers kept."""
    settings = district.settings()
    folder = Path(settings.data_dir)
    if not (folder.is_dir() or (is_zip_batch(folder) and folder.is_file())):
        raise dg.Failure(f"ROSTER_DATA_DIR is neither a folder nor a .zip file: {folder}")
    batch = read_batch(folder, scope_school=settings.school, limits=settings.archive_limits())
    found = batch.all_findings()
    rows = {r.file: r.rows_read for r in batch.raw.values()}
    context.add_output_metadata(
        {
            "batch_id": batch.batch_id,
            "oneroster_version": batch.version or "(no manifest)",
            "files": dg.MetadataValue.json(rows),
            "dagster/row_count": sum(rows.values()),
            "findings": metadata.findings_table(found),
            **metadata.counts(found),
        }
    )
    return batch


@dg.asset(group_name=GROUP_VALIDATE, kinds={"polars", "pandera"}, io_manager_key="frame_store")
def validated_roster_files(
    context: dg.AssetExecutionContext, district: DistrictResource, raw_roster_files: RawBatch
) -> ValidatedBatch:
    """Each file normalized (roles, grades, emails, phones, languages) and validated row by row."""
    validated = validate_batch(
        raw_roster_files, region=district.phone_region, scope_school=district.scope_school or None
    )
    found = findings.concat([v.findings for v in validated.files.values()])
    ok = {v.file: int(v.frame["_ok"].sum()) for v in validated.files.values()}
    context.add_output_metadata(
        {
            "rows_valid": dg.MetadataValue.json(ok),
            "dagster/row_count": sum(ok.values()),
            "findings": metadata.findings_table(found),
            **metadata.counts(found),
        }
    )
    return validated


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            name,
            group_name=GROUP_ROSTER,
            kinds={"duckdb"},
            deps=["validated_roster_files"],
            description=TABLE_DESCRIPTIONS[name],
            skippable=name != "batches",
        )
        for name in (*TABLE_ASSETS, *HISTORY_ASSETS)
    ],
    ins={"validated_roster_files": dg.AssetIn()},
)
def roster_tables(
    context: dg.AssetExecutionContext,
    config: SyncRunConfig,
    district: DistrictResource,
    validated_roster_files: ValidatedBatch,
):
    """Resolve every sourcedId reference and apply the batch as a sync, safeguards included.

    The roster tables are published in one atomic swap; a held sync changes nothing.
    """
    settings = district.settings()
    run = checked(
        run_sync(validated_roster_files, settings, action=config.action, run_id=context.run.run_id)
    )
    outcome = run.outcome
    store = settings.warehouse()
    if outcome.status != "applied":  # discarded as asked: only the batch's record changed
        yield dg.MaterializeResult(asset_key="batches", metadata=run_metadata(run))
        return
    with store.reader() as con:
        rows = {
            name: con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
            for name in TABLE_ASSETS
        }
        previews = {
            name: con.sql(f"SELECT * EXCLUDE (extensions) FROM {name} LIMIT 5").pl()
            for name in ROSTER_TABLES
        }
        previews["student_guardians"] = con.sql("SELECT * FROM student_guardians LIMIT 5").pl()
    batch_id = outcome.batch_id
    context.log.info(
        f"batch {batch_id}: {outcome.files['rows_applied'].sum()} of "
        f"{outcome.files['rows_read'].sum()} rows applied, {outcome.findings.height} findings, "
        f"changes {outcome.counts.totals()}"
    )
    by_table = {
        name: outcome.findings.filter(pl.col("file").str.starts_with(file_stem))
        for name, file_stem in TABLE_FILES.items()
    }
    for name in TABLE_ASSETS:
        yield dg.MaterializeResult(
            asset_key=name,
            metadata={
                "dagster/row_count": rows[name],
                "batch_id": batch_id,
                "findings": metadata.findings_table(by_table.get(name, findings.empty())),
                "preview": metadata.preview(previews[name]),
            },
        )
    yield dg.MaterializeResult(
        asset_key="findings",
        metadata={
            "dagster/row_count": outcome.findings.height,
            "batch_id": batch_id,
            "findings": metadata.findings_table(outcome.findings),
            **metadata.counts(outcome.findings),
        },
    )
    yield dg.MaterializeResult(
        asset_key="batches",
        metadata={
            **run_metadata(run),
            "files": metadata.preview(outcome.files.drop("sha256"), rows=50),
            "rows_read": int(outcome.files["rows_read"].sum()),
            "rows_applied": int(outcome.files["rows_applied"].sum()),
            "rows_rejected": int(outcome.files["rows_rejected"].sum()),
            "duckdb_path": dg.MetadataValue.path(str(store.path)),
        },
    )
