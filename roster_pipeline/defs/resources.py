"""The district's settings as one Dagster resource, built from the settings model and loader.

The resource has one field per setting of ``settings.model.DistrictSettings`` (same name, type
and description, plus the variable and file key that set it), so the UI lists every setting
with its value; its values come from ``settings.load.load_district``, when the definitions
load, never from a class body.
"""

from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import Field, create_model

from roster_pipeline.settings.load import SETTINGS_FILE, load_district
from roster_pipeline.settings.model import DistrictSettings


class _DistrictResourceBase(dg.ConfigurableResource):
    def settings(self) -> DistrictSettings:
        """The settings as the plain model the runner and stages take."""
        return DistrictSettings.model_validate(
            {name: getattr(self, name) for name in DistrictSettings.model_fields}
        )


def _described(name: str) -> Any:
    field = DistrictSettings.model_fields[name]
    env = field.json_schema_extra["env"]
    return (
        field.annotation,
        Field(description=f"{field.description} Set by {env}, or `{name}` in {SETTINGS_FILE}."),
    )


DistrictResource = create_model(
    "DistrictResource",
    __base__=_DistrictResourceBase,
    __doc__="The district's settings (docs/settings.md): how its exports are read and synced.",
    **{name: _described(name) for name in DistrictSettings.model_fields},
)


def district_resource(home: Path | None = None, **overrides: object) -> Any:
    """The resource of the code location's district (``home``: a district's folder)."""
    return DistrictResource(**load_district(home, overrides=overrides).model_dump())


def roster_resources(district: Any = None, **overrides: object) -> dict[str, object]:
    """Every resource the definitions use: the district's settings.

    The settings are the loaded ones (or ``district``'s) with ``overrides`` over them.
    """
    if district is not None:
        overrides = {**district.settings().model_dump(), **overrides}
    return {"district": district_resource(**overrides)}
