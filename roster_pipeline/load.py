"""The whole roster load as one plain function: read, validate, then sync (as the assets do)."""

from __future__ import annotations

from pathlib import Path

from roster_pipeline.intake.batch import read_batch
from roster_pipeline.schemas.validate_file import validate_batch
from roster_pipeline.sync.run import SyncOutcome, sync_batch
from roster_pipeline.sync.settings import SyncSettings
from roster_pipeline.warehouse import Warehouse


def load_batch(
    folder: Path,
    duckdb_path: Path,
    *,
    tenant_id: str = "district",
    scope_school: str | None = None,
    region: str = "US",
    manage_guardians: bool = True,
    settings: SyncSettings | None = None,
) -> SyncOutcome:
    """Read, validate and apply one batch folder into ``duckdb_path``.

    Without ``settings``: the district defaults, except that contact details are updated.
    """
    settings = settings or SyncSettings(
        tenant_id=tenant_id,
        region=region,
        manage_guardians=manage_guardians,
        update_active_contacts=True,
    )
    validated = validate_batch(
        read_batch(folder, scope_school=scope_school), region=region, scope_school=scope_school
    )
    return sync_batch(validated, Warehouse(duckdb_path), settings)
