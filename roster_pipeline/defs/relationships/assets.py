"""The relationships import: one asset, partitioned into a preview and an import (apply)."""

from pathlib import Path

import dagster as dg
import polars as pl

from roster_pipeline.defs.guardians.partitions import upload_mode
from roster_pipeline.defs.metadata import downloads, failed_rows, preview
from roster_pipeline.defs.resources import DistrictResource
from roster_pipeline.uploads.engine import UploadRefusedError
from roster_pipeline.uploads.relationships.importer import run_import


@dg.asset(
    partitions_def=upload_mode,
    group_name="relationships",
    kinds={"polars", "duckdb"},
    deps=["users", "student_guardians"],
)
def relationship_import(
    context: dg.AssetExecutionContext, district: DistrictResource
) -> dg.MaterializeResult:
    """Typed parent-student links from a spreadsheet: file check, data check, preview, import.

    Partition ``preview`` writes only the results; ``apply`` imports the previewed links.
    """
    settings = district.settings()
    try:
        outcome = run_import(
            Path(settings.relationships_path),
            settings.warehouse(),
            mode=context.partition_key,
            results_dir=settings.results_folder(),
            tenant_id=settings.tenant_id,
            application_id=settings.application_id,
        )
    except UploadRefusedError as refused:
        raise dg.Failure(str(refused)) from None
    failed = outcome.results.filter(pl.col("result") == "FAILED")
    return dg.MaterializeResult(
        metadata={
            "batch_id": outcome.batch_id,
            "mode": context.partition_key,
            "dagster/row_count": outcome.results.height,
            "file_check": dg.MetadataValue.json(outcome.file_check),
            "data_check": dg.MetadataValue.json(outcome.counts()),
            "preview_check": outcome.preview_check or "(preview)",
            "failed_sample": preview(failed, rows=10),
            "failed_rows": failed_rows(outcome.results),
            "results_xlsx": dg.MetadataValue.path(str(outcome.xlsx)),
            "results_csv": dg.MetadataValue.path(str(outcome.csv)),
            **downloads(
                results_xlsx=settings.results_link(outcome.xlsx),
                results_csv=settings.results_link(outcome.csv),
            ),
        }
    )
