"""The roster domain's definitions: the published tables and their integrity checks."""

import dagster as dg

from roster_pipeline.defs.roster.checks import roster_checks
from roster_pipeline.defs.roster.tables import TABLE_SPECS

defs = dg.Definitions(assets=TABLE_SPECS, asset_checks=roster_checks)
