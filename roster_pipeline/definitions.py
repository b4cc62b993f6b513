"""Dagster entry point: every domain's definitions merged."""

from __future__ import annotations

import dagster as dg

from roster_pipeline.defs.roster.definitions import defs as roster_defs

defs = dg.Definitions.merge(roster_defs)
