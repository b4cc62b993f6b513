"""Dagster entry point: every domain's definitions merged."""

from __future__ import annotations

import atexit
import gc

import dagster as dg

from roster_pipeline.defs.districts import definitions as districts
from roster_pipeline.defs.guardians import definitions as guardians
from roster_pipeline.defs.relationships import definitions as relationships
from roster_pipeline.defs.roster import definitions as roster
from roster_pipeline.defs.sync import definitions as sync

defs = dg.Definitions.merge(
    roster.defs, sync.defs, guardians.defs, relationships.defs, districts.defs
)

# Everything imported so far lives as long as the process: keep Python's cycle collector from
# rescanning it in every full collection during a run (about 0.7 s of a 500k district's load).
# At exit it is handed back, so it is finalized as usual (DuckDB's bindings report objects that
# are never freed).
gc.freeze()
atexit.register(gc.unfreeze)
