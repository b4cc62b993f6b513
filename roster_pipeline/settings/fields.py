"""What every settings model shares: how a field is declared, the groups, address syntax."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field

EMAIL_ADDRESS = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
"""A contact address the notifications can be sent to."""

GROUPS = (
    "district",
    "files",
    "reading",
    "daily sync",
    "safeguards",
    "notifications",
    "deployment",
)
"""The headings settings are listed under (in docs/settings.md and the UI)."""


def setting(
    default: Any, env: str, description: str, *, group: str, per_district: bool = False
) -> Any:
    """A field: its default, variable, description and group.

    ``per_district``: a location or identity that each district of a many-district deployment
    sets in its own file only (the variables never override it there).
    """
    return Field(
        default=default,
        description=description,
        json_schema_extra={"env": env, "group": group, "per_district": per_district},
    )
