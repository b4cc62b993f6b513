"""Settings of the guardians upload (env: ROSTER_GUARDIANS_PATH and friends)."""

import os

import dagster as dg

from roster_pipeline.defs.roster.resources import PROJECT_ROOT


class GuardianUploadSettings(dg.ConfigurableResource):
    """Where the upload is and how it is handled; one place for these district settings."""

    guardians_path: str = os.environ.get(
        "ROSTER_GUARDIANS_PATH", str(PROJECT_ROOT / "data" / "guardians.csv")
    )
    """The uploaded guardians.csv."""
    results_dir: str = os.environ.get("ROSTER_RESULTS_DIR", str(PROJECT_ROOT / "data" / "results"))
    """Where the results workbook and CSV are written."""


class GuardianUploadConfig(dg.Config):
    """Run options chosen when launching an upload."""

    abandon: bool = False
    """All or nothing: if any row fails, apply nothing."""
