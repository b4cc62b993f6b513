"""The relationships import domain's definitions (its resources are the district's)."""

import dagster as dg

from roster_pipeline.defs.relationships.assets import relationship_import

defs = dg.Definitions(assets=[relationship_import])
