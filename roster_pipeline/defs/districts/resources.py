"""Where the districts of a many-district deployment live, and each one's settings."""

from pathlib import Path

import dagster as dg

from roster_pipeline.settings.load import district_homes, load_district
from roster_pipeline.settings.model import DistrictSettings


class DistrictsFolder(dg.ConfigurableResource):
    """The folder of all districts: ``<tenant>/district.toml``, ``<tenant>/drop/<batch>/``."""

    districts_dir: str
    """The districts' folder (ROSTER_DISTRICTS_DIR)."""

    def tenants(self) -> list[str]:
        """The districts found in the folder, sorted."""
        return [home.name for home in district_homes(Path(self.districts_dir))]

    def settings(self, tenant: str) -> DistrictSettings:
        """One district's settings: its ``district.toml``, shared ``ROSTER_*`` overrides."""
        return load_district(Path(self.districts_dir) / tenant)
