"""The roster domain's definitions."""

from __future__ import annotations

import dagster as dg

from roster_pipeline.defs.roster import assets
from roster_pipeline.defs.roster.checks import roster_checks
from roster_pipeline.defs.roster.jobs import roster_load_job
from roster_pipeline.defs.roster.resources import RosterSettings, RosterWarehouse

defs = dg.Definitions(
    assets=[assets.raw_roster_files, assets.validated_roster_files, assets.roster_tables],
    asset_checks=roster_checks,
    jobs=[roster_load_job],
    resources={"settings": RosterSettings(), "warehouse": RosterWarehouse()},
)
