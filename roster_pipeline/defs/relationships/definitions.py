"""The relationships import domain's definitions."""

import dagster as dg

from roster_pipeline.defs.relationships.assets import (
    RelationshipImportSettings,
    relationship_import,
)

defs = dg.Definitions(
    assets=[relationship_import], resources={"relationships": RelationshipImportSettings()}
)
