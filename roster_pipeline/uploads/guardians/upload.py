"""Run a guardians.csv upload in preview (Dry Run) or apply mode."""

from __future__ import annotations

from pathlib import Path

from roster_pipeline.schemas.validate_file import ValidatedFile
from roster_pipeline.specs import GUARDIANS
from roster_pipeline.uploads import engine as uploads
from roster_pipeline.uploads.engine import MODES, UploadOutcome, UploadRefusedError
from roster_pipeline.uploads.guardians.plan import plan_upload
from roster_pipeline.warehouse import Warehouse

__all__ = ["GUARDIANS_UPLOAD", "MODES", "UploadOutcome", "UploadRefusedError", "run_upload"]

GUARDIANS_UPLOAD = uploads.UploadKind(
    spec=GUARDIANS,
    results_table="guardian_upload_results",
    apply_sql="guardian_apply",
    links_table="plan_links",
    batch_kind="guardians_upload",
)


def run_upload(
    path: Path,
    store: Warehouse,
    *,
    mode: str,
    results_dir: Path,
    tenant_id: str = "district",
    application_id: str = "",
    scope_school: str | None = None,
    abandon: bool = False,
    region: str = "US",
    sync_manages_guardians: bool = False,
) -> UploadOutcome:
    """Preview (writes results only) or apply (writes live rows too) one guardians.csv."""
    if sync_manages_guardians:
        raise UploadRefusedError(
            "Guardians are managed by the roster sync (setting 'Allow sync to manage guardians' "
            "is on): turn it off to upload guardians.csv: set sync_manages_guardians = false in "
            "the district's district.toml (or ROSTER_SYNC_MANAGES_GUARDIANS=false), then reload "
            "the code location (Deployment -> Reload). The roster's agentSourcedIds links are "
            "then ignored and uploads rule (docs/settings.md)."
        )

    def planner(validated: ValidatedFile, live: uploads.LiveState) -> uploads.Plan:
        plan = plan_upload(
            validated.frame, validated.findings, live, scope_school=scope_school, abandon=abandon
        )
        writes = {"plan_guardians": plan.guardians, "plan_links": plan.links}
        return uploads.Plan(plan.results, writes, plan.abandoned)

    return uploads.run(
        GUARDIANS_UPLOAD,
        path,
        store,
        planner,
        mode=mode,
        results_dir=results_dir,
        tenant_id=tenant_id,
        application_id=application_id,
        region=region,
    )
