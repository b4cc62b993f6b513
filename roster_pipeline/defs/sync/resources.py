"""District settings of the daily sync (env: ROSTER_ENABLE_DAILY_SYNC and friends).

These are the "District-Level Daily Sync" settings of a rostering hub, in one resource the
Dagster UI shows with its values. Tenant id, application id, phone region and "Allow sync to
manage guardians" live in ``RosterSettings`` (the uploads read them too).
"""

import os
from pathlib import Path

import dagster as dg

from roster_pipeline.defs.roster.resources import PROJECT_ROOT, RosterSettings
from roster_pipeline.sync.calendar import Period, parse_periods
from roster_pipeline.sync.settings import SyncSettings, Thresholds


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


def _role_grants(name: str) -> dict[str, list[str]]:
    """``counselor=Family Access,Engagement Visibility; ext:staff=School-Wide Communications``."""
    grants: dict[str, list[str]] = {}
    for part in os.environ.get(name, "").split(";"):
        role, _, permissions = part.partition("=")
        if role.strip():
            grants[role.strip()] = [p.strip() for p in permissions.split(",") if p.strip()]
    return grants


def _names(name: str, default: tuple[str, ...]) -> list[str]:
    value = os.environ.get(name)
    return list(default) if value is None else [v.strip() for v in value.split(",") if v.strip()]


DAILY_SYNC_ON = _flag("ROSTER_ENABLE_DAILY_SYNC", False)
SYNC_CRON = os.environ.get("ROSTER_SYNC_CRON", "0 6 * * *")
SYNC_TIMEZONE = os.environ.get("ROSTER_SYNC_TIMEZONE", "America/New_York")
_DEFAULTS = SyncSettings()


class DistrictSettings(dg.ConfigurableResource):
    """How the daily sync treats this district's data."""

    enable_daily_sync: bool = DAILY_SYNC_ON
    """'Enable daily sync': the schedule applies the newest batch each day (off by default)."""
    drop_dir: str = os.environ.get("ROSTER_DROP_DIR", str(PROJECT_ROOT / "data" / "drop"))
    """Where exports arrive, one sub-folder per batch (its name is the batch partition)."""
    results_dir: str = os.environ.get("ROSTER_RESULTS_DIR", "")
    """Where each sync's results workbook and plot are written (one pair per run); blank: a
    ``results`` folder beside the DuckDB file."""
    settle_seconds: float = float(os.environ.get("ROSTER_SETTLE_SECONDS", "60"))
    """A batch folder is complete once no file in it changed for this long."""
    unarchive_classes: bool = _flag("ROSTER_UNARCHIVE_CLASSES", _DEFAULTS.unarchive_classes)
    """'Unarchive classrooms that reappear in the roster data'."""
    update_active_contacts: bool = _flag(
        "ROSTER_UPDATE_ACTIVE_CONTACTS", _DEFAULTS.update_active_contacts
    )
    """'Allow the sync to update contact details of active users' (email, sms, phone)."""
    administrator_permissions: list[str] = _names(
        "ROSTER_ADMINISTRATOR_PERMISSIONS", _DEFAULTS.administrator_permissions
    )
    """Default permissions of synced administrators, among: Permissions Admin, School-Wide
    Communications, Rostering Administrator, Content Moderator, Users Manager, Family Access,
    Engagement Visibility."""
    teacher_permissions: list[str] = _names(
        "ROSTER_TEACHER_PERMISSIONS", _DEFAULTS.teacher_permissions
    )
    """Default permissions of synced teachers."""
    role_permissions: dict[str, list[str]] = _role_grants("ROSTER_ROLE_PERMISSIONS")
    """Permissions of any other staff role (counselor, aide, proctor, ext:staff for SIS 'staff'
    and 'faculty', ...), e.g. ``counselor=Family Access; ext:staff=School-Wide Communications``;
    a role not named receives none."""
    blackout_dates: str = os.environ.get("ROSTER_BLACKOUT_DATES", "")
    """'Blackout dates': periods in which the daily schedule skips (a manual run still works),
    e.g. ``2026-06-20..2026-08-20`` or every year ``06-20..08-20``, comma-separated."""
    rollover_window: str = os.environ.get("ROSTER_ROLLOVER_WINDOW", "")
    """Days in which a school-year rollover is approved in advance (e.g. ``07-20..09-10``): a
    batch that only trips the safeguards the way a rollover does is applied, not held."""
    hold_deactivate_pct: float = float(os.environ.get("ROSTER_HOLD_DEACTIVATE_PCT", "10"))
    """Hold a sync that would deactivate more than this percent of an entity."""
    hold_update_pct: float = float(os.environ.get("ROSTER_HOLD_UPDATE_PCT", "75"))
    """Hold a sync that would update more than this percent of an entity."""
    hold_truncated_ratio: float = float(os.environ.get("ROSTER_HOLD_TRUNCATED_RATIO", "0.5"))
    """Hold a bulk file with fewer rows than this share of the last applied one."""
    hold_min_records: int = int(os.environ.get("ROSTER_HOLD_MIN_RECORDS", "20"))
    """The percent rules apply to entities with at least this many active records."""

    def blackouts(self) -> tuple[Period, ...]:
        """The blackout periods (a malformed one is a clear error)."""
        return parse_periods(self.blackout_dates)

    def results_folder(self, duckdb_path: str | Path) -> Path:
        """The folder of the results workbooks for the warehouse at ``duckdb_path``."""
        return Path(self.results_dir) if self.results_dir else Path(duckdb_path).parent / "results"

    def sync_settings(self, roster: RosterSettings) -> SyncSettings:
        """The plain settings value the sync functions take."""
        return SyncSettings(
            tenant_id=roster.tenant_id,
            application_id=roster.application_id,
            region=roster.phone_region,
            manage_guardians=roster.sync_manages_guardians,
            unarchive_classes=self.unarchive_classes,
            update_active_contacts=self.update_active_contacts,
            administrator_permissions=tuple(self.administrator_permissions),
            teacher_permissions=tuple(self.teacher_permissions),
            role_permissions=tuple(
                (role, tuple(perms)) for role, perms in sorted(self.role_permissions.items())
            ),
            rollover_window=self.rollover_window,
            thresholds=Thresholds(
                deactivate_pct=self.hold_deactivate_pct,
                update_pct=self.hold_update_pct,
                truncated_ratio=self.hold_truncated_ratio,
                min_records=self.hold_min_records,
            ),
        )
