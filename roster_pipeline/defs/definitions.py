"""The code location's definitions: the settings loaded, every domain's definitions merged.

The settings are read when Dagster loads the definitions (``@dg.definitions``), never when a
module is imported.
"""

import dagster as dg

from roster_pipeline.defs.districts.definitions import districts_definitions
from roster_pipeline.defs.guardians import definitions as guardians
from roster_pipeline.defs.notify.sensors import notification_sensors
from roster_pipeline.defs.relationships import definitions as relationships
from roster_pipeline.defs.resources import DistrictResource
from roster_pipeline.defs.roster import definitions as roster
from roster_pipeline.defs.sync.definitions import sync_definitions
from roster_pipeline.settings.load import load_deployment, load_district


@dg.definitions
def defs() -> dg.Definitions:
    """Every domain, with the code location's district settings as the ``district`` resource."""
    deployment = load_deployment()
    district = load_district()
    resources = dg.Definitions(resources={"district": DistrictResource(**district.model_dump())})
    return dg.Definitions.merge(
        roster.defs,
        sync_definitions(deployment, district.enable_daily_sync),
        guardians.defs,
        relationships.defs,
        districts_definitions(deployment),
        dg.Definitions(sensors=notification_sensors(deployment)),
        resources,
    )
