"""The whole roster load as one plain function (the Dagster assets run the same stages)."""

from __future__ import annotations

from pathlib import Path

from roster_pipeline.intake.batch import read_batch
from roster_pipeline.resolve.apply_batch import ApplyResult, apply_batch
from roster_pipeline.schemas.validate_file import validate_batch
from roster_pipeline.warehouse import Warehouse


def load_batch(
    folder: Path,
    duckdb_path: Path,
    *,
    tenant_id: str = "district",
    scope_school: str | None = None,
    region: str = "US",
    manage_guardians: bool = True,
) -> ApplyResult:
    """Read, validate, resolve and publish one batch folder into ``duckdb_path``."""
    validated = validate_batch(
        read_batch(folder, scope_school=scope_school), region=region, scope_school=scope_school
    )
    with Warehouse(duckdb_path).writer() as con:
        return apply_batch(
            con,
            validated.batch,
            validated.files,
            tenant_id=tenant_id,
            manage_guardians=manage_guardians,
        )
