"""Jobs: load one roster batch end to end."""

from __future__ import annotations

import dagster as dg

ROSTER_JOB_NAME = "roster_load"

roster_load_job = dg.define_asset_job(
    ROSTER_JOB_NAME,
    selection=dg.AssetSelection.groups("intake", "validate", "roster"),
    description="Read, validate, resolve and publish the batch in ROSTER_DATA_DIR.",
)
