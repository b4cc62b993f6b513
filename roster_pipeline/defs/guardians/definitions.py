"""The guardians upload domain's definitions (its resources are the district's)."""

import dagster as dg

from roster_pipeline.defs.guardians.assets import guardian_upload

defs = dg.Definitions(assets=[guardian_upload])
