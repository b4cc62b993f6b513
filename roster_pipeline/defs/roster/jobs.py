"""Jobs: load one roster batch end to end."""

from __future__ import annotations

import dagster as dg

ROSTER_JOB_NAME = "roster_load"

roster_load_job = dg.define_asset_job(
    ROSTER_JOB_NAME,
    selection=dg.AssetSelection.groups("intake", "validate", "roster"),
    description="Read, validate, resolve and publish the batch in ROSTER_DATA_DIR.",
    # The steps run one after another anyway; in one process each hands its frames to the next
    # in memory (the frame store still keeps them on disk for re-execution).
    executor_def=dg.in_process_executor,
)
