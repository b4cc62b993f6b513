"""Run a relationships import in preview or import (apply) mode."""

from __future__ import annotations

from pathlib import Path

from roster_pipeline.schemas.validate_file import ValidatedFile
from roster_pipeline.specs import RELATIONSHIPS
from roster_pipeline.uploads import engine as uploads
from roster_pipeline.uploads.engine import UploadOutcome
from roster_pipeline.uploads.relationships.plan import plan_import
from roster_pipeline.warehouse import Warehouse

RELATIONSHIPS_IMPORT = uploads.UploadKind(
    spec=RELATIONSHIPS,
    results_table="relationship_import_results",
    apply_sql="relationship_apply",
    links_table="plan_new_links",
    batch_kind="relationships_import",
)


def run_import(
    path: Path,
    store: Warehouse,
    *,
    mode: str,
    results_dir: Path,
    tenant_id: str = "district",
    application_id: str = "",
) -> UploadOutcome:
    """Preview (results only) or import (links too) one relationships file."""

    def planner(validated: ValidatedFile, live: uploads.LiveState) -> uploads.Plan:
        return plan_import(validated.frame, validated.findings, live)

    return uploads.run(
        RELATIONSHIPS_IMPORT,
        path,
        store,
        planner,
        mode=mode,
        results_dir=results_dir,
        tenant_id=tenant_id,
        application_id=application_id,
    )
