"""Run options of the guardians upload (its settings are the district's)."""

import dagster as dg


class GuardianUploadConfig(dg.Config):
    """Run options chosen when launching an upload."""

    abandon: bool = False
    """All or nothing: if any row fails, apply nothing."""
