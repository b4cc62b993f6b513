"""The guardians upload: one asset, partitioned into a preview (Dry Run) and an apply."""

from pathlib import Path

import dagster as dg

from roster_pipeline.defs.guardians.partitions import upload_mode
from roster_pipeline.defs.guardians.resources import GuardianUploadConfig
from roster_pipeline.defs.metadata import downloads, failed_rows, preview
from roster_pipeline.defs.resources import DistrictResource
from roster_pipeline.uploads.guardians.upload import UploadRefusedError, run_upload


@dg.asset(
    partitions_def=upload_mode,
    group_name="guardians",
    kinds={"polars", "duckdb", "excel"},
    deps=["users", "student_guardians"],
)
def guardian_upload(
    context: dg.AssetExecutionContext,
    config: GuardianUploadConfig,
    district: DistrictResource,
) -> dg.MaterializeResult:
    """guardians.csv -> guardian accounts linked to students, with a per-row results workbook.

    Partition ``preview`` (Dry Run) writes only the results; ``apply`` writes the live rows too.
    """
    mode = context.partition_key
    settings = district.settings()
    try:
        outcome = run_upload(
            Path(settings.guardians_path),
            settings.warehouse(),
            mode=mode,
            results_dir=settings.results_folder(),
            tenant_id=settings.tenant_id,
            application_id=settings.application_id,
            scope_school=settings.school,
            abandon=config.abandon,
            region=settings.phone_region,
            sync_manages_guardians=settings.sync_manages_guardians,
        )
    except UploadRefusedError as refused:
        raise dg.Failure(str(refused)) from None
    counts = outcome.counts()
    context.log.info(f"guardians upload {outcome.batch_id} ({mode}): {counts}")
    return dg.MaterializeResult(
        metadata={
            "batch_id": outcome.batch_id,
            "mode": mode,
            "abandoned": outcome.abandoned,
            "dagster/row_count": outcome.results.height,
            **counts,
            "preview_check": outcome.preview_check or "(preview)",
            "results_xlsx": dg.MetadataValue.path(str(outcome.xlsx)),
            "results_csv": dg.MetadataValue.path(str(outcome.csv)),
            **downloads(
                results_xlsx=settings.results_link(outcome.xlsx),
                results_csv=settings.results_link(outcome.csv),
            ),
            "results": preview(outcome.results.drop("message"), rows=10),
            "failed_rows": failed_rows(outcome.results),
        }
    )
