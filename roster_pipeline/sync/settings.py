"""District settings that govern a sync, as one plain value (the Dagster resources fill it)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from roster_pipeline.sync.calendar import parse_periods

PERMISSIONS = (
    "Permissions Admin",
    "School-Wide Communications",
    "Rostering Administrator",
    "Content Moderator",
    "Users Manager",
    "Family Access",
    "Engagement Visibility",
)
"""The staff permissions a district can grant to synced staff."""

ADMINISTRATOR_ROLES = (
    "administrator",
    "districtAdministrator",
    "principal",
    "siteAdministrator",
    "systemAdministrator",
)
TEACHER_ROLES = ("teacher",)
NOT_STAFF = ("student", "parent", "guardian", "relative")
"""Roles that never receive staff permissions."""


@dataclass(frozen=True)
class Thresholds:
    """When a change set is held instead of applied."""

    deactivate_pct: float = 10.0
    """Hold if more than this percent of an entity's active records would be deactivated."""
    update_pct: float = 75.0
    """Hold if more than this percent of an entity's active records would be updated."""
    truncated_ratio: float = 0.5
    """Hold if a bulk file has fewer rows than this share of the last applied batch's file."""
    min_records: int = 20
    """Percent rules apply to entities with at least this many active records."""


@dataclass(frozen=True)
class SyncSettings:
    """Everything a sync run's outcome depends on besides the files and the live tables."""

    tenant_id: str = "district"
    application_id: str = "roster_pipeline"
    region: str = "US"
    manage_guardians: bool = True
    """'Allow sync to manage guardians'."""
    unarchive_classes: bool = True
    """'Unarchive classrooms that reappear in the roster data'."""
    update_active_contacts: bool = False
    """'Allow the sync to update contact details of active users' (email, sms, phone)."""
    administrator_permissions: tuple[str, ...] = PERMISSIONS
    """Default permissions of synced administrators."""
    teacher_permissions: tuple[str, ...] = ("School-Wide Communications", "Family Access")
    """Default permissions of synced teachers."""
    role_permissions: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(role, permissions) for any other staff role the district names (counselor, aide,
    ext:staff, ...), or to override an administrator role's; a role not named gets none."""
    rollover_window: str = ""
    """Days in which a school-year rollover is approved in advance (``07-20..09-10``)."""
    thresholds: Thresholds = field(default_factory=Thresholds)

    def __post_init__(self) -> None:
        parse_periods(self.rollover_window)  # a malformed window is an error at load
        named = [p for _, perms in self.role_permissions for p in perms]
        granted = self.administrator_permissions + self.teacher_permissions + tuple(named)
        unknown = set(granted) - set(PERMISSIONS)
        if unknown:
            raise ValueError(
                f"unknown staff permissions {sorted(unknown)}; choose from {list(PERMISSIONS)}"
            )
        not_staff = sorted({r for r, _ in self.role_permissions} & set(NOT_STAFF))
        if not_staff:
            raise ValueError(f"staff permissions cannot be granted to {not_staff}")

    def grants(self) -> list[tuple[str, str]]:
        """(role, permission) for every role granted some: what each role receives, no more."""
        by_role = dict.fromkeys(ADMINISTRATOR_ROLES, self.administrator_permissions)
        by_role |= dict.fromkeys(TEACHER_ROLES, self.teacher_permissions)
        by_role |= dict(self.role_permissions)
        return [(role, p) for role, perms in by_role.items() for p in perms]

    def fingerprint(self) -> str:
        """The settings as canonical JSON: a held plan is approved only under the same ones."""
        return json.dumps(asdict(self), sort_keys=True)
