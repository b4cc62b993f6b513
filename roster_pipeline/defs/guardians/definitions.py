"""The guardians upload domain's definitions."""

import dagster as dg

from roster_pipeline.defs.guardians.assets import guardian_upload
from roster_pipeline.defs.guardians.resources import GuardianUploadSettings

defs = dg.Definitions(assets=[guardian_upload], resources={"upload": GuardianUploadSettings()})
