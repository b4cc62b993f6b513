"""The settings of one district, each with one default, one description and its variable.

Every field is set, lowest first, by its default here, the district's ``district.toml``, then
its ``ROSTER_*`` environment variable (``settings.load``). ``docs/settings.md`` is generated
from this module. Paths are absolute once loaded (relative ones are resolved by the loader).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, field_validator

from roster_pipeline.intake.source import ArchiveLimits
from roster_pipeline.settings.fields import EMAIL_ADDRESS, setting
from roster_pipeline.sync.calendar import Period, parse_periods
from roster_pipeline.sync.settings import PERMISSIONS, SyncSettings, Thresholds
from roster_pipeline.warehouse import DEFAULT_MEMORY_LIMIT, Warehouse

_SYNC = SyncSettings()
_HOLD = Thresholds()
_ZIP = ArchiveLimits()


class DistrictSettings(BaseModel):
    """How one district's exports are read, synced and reported."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # -- the district
    tenant_id: str = setting(
        "sample-district",
        "ROSTER_TENANT_ID",
        "The district's tenant id, recorded on every batch and row (a district under "
        "ROSTER_DISTRICTS_DIR: its folder name).",
        group="district",
        per_district=True,
    )
    application_id: str = setting(
        _SYNC.application_id,
        "ROSTER_APPLICATION_ID",
        "The application id, recorded on every row beside the tenant id.",
        group="district",
    )
    # -- where files are
    drop_dir: str = setting(
        "drop",
        "ROSTER_DROP_DIR",
        "Where exports arrive, one sub-folder or .zip per batch (its name is the batch partition).",
        group="files",
        per_district=True,
    )
    duckdb_path: str = setting(
        "roster.duckdb",
        "ROSTER_DUCKDB_PATH",
        "The published DuckDB file analysts read.",
        group="files",
        per_district=True,
    )
    results_dir: str = setting(
        "",
        "ROSTER_RESULTS_DIR",
        "Where results workbooks and plots are written (one set per run); blank: a results "
        "folder beside the DuckDB file.",
        group="files",
        per_district=True,
    )
    results_url: str = setting(
        "",
        "ROSTER_RESULTS_URL",
        "Where the results folder is served over HTTP (scripts/dev.sh serves it on the loopback): "
        "run metadata then links each workbook for download; blank: their paths only.",
        group="files",
        per_district=True,
    )
    guardians_path: str = setting(
        "guardians.csv",
        "ROSTER_GUARDIANS_PATH",
        "The guardians.csv to upload.",
        group="files",
        per_district=True,
    )
    relationships_path: str = setting(
        "relationships.csv",
        "ROSTER_RELATIONSHIPS_PATH",
        "The relationships spreadsheet (.csv or .xlsx) to import.",
        group="files",
        per_district=True,
    )
    # -- how files are read
    scope_school: str = setting(
        "",
        "ROSTER_SCOPE_SCHOOL",
        "A school's sourcedId for a school-level export (its files may omit the school "
        "column); blank: the whole district.",
        group="reading",
        per_district=True,
    )
    phone_region: str = setting(
        _SYNC.region,
        "ROSTER_PHONE_REGION",
        "Region of phone numbers written without a country code.",
        group="reading",
    )
    zip_max_bytes: int = setting(
        _ZIP.max_bytes,
        "ROSTER_ZIP_MAX_BYTES",
        "A zip batch expanding to more bytes than this (all members) is refused.",
        group="reading",
    )
    zip_max_ratio: float = setting(
        _ZIP.max_ratio,
        "ROSTER_ZIP_MAX_RATIO",
        "A zip member (over 1 MiB) expanding more times than this is refused (a zip bomb).",
        group="reading",
    )
    duckdb_memory_limit: str = setting(
        DEFAULT_MEMORY_LIMIT,
        "ROSTER_DUCKDB_MEMORY_LIMIT",
        "DuckDB's memory cap during a run (it spills to disk beyond it).",
        group="reading",
    )
    # -- the daily sync
    enable_daily_sync: bool = setting(
        False,
        "ROSTER_ENABLE_DAILY_SYNC",
        "'Enable daily sync': the schedule applies the newest complete batch each day.",
        group="daily sync",
    )
    settle_seconds: float = setting(
        60.0,
        "ROSTER_SETTLE_SECONDS",
        "A batch in the drop folder is complete once none of its files changed for this long.",
        group="daily sync",
    )
    sync_manages_guardians: bool = setting(
        _SYNC.manage_guardians,
        "ROSTER_SYNC_MANAGES_GUARDIANS",
        "'Allow sync to manage guardians': on, the roster's agentSourcedIds make the guardian "
        "links and guardians.csv uploads are refused; off, the roster's links are ignored and "
        "uploads rule.",
        group="daily sync",
    )
    unarchive_classes: bool = setting(
        _SYNC.unarchive_classes,
        "ROSTER_UNARCHIVE_CLASSES",
        "'Unarchive classrooms that reappear in the roster data' (off: they stay archived).",
        group="daily sync",
    )
    update_active_contacts: bool = setting(
        _SYNC.update_active_contacts,
        "ROSTER_UPDATE_ACTIVE_CONTACTS",
        "'Allow the sync to update contact details of active users' (email, sms, phone; off: "
        "kept, reported as skipped).",
        group="daily sync",
    )
    administrator_permissions: list[str] = setting(
        list(_SYNC.administrator_permissions),
        "ROSTER_ADMINISTRATOR_PERMISSIONS",
        "Default permissions of synced administrators (comma list of: "
        + ", ".join(PERMISSIONS)
        + ").",
        group="daily sync",
    )
    teacher_permissions: list[str] = setting(
        list(_SYNC.teacher_permissions),
        "ROSTER_TEACHER_PERMISSIONS",
        "Default permissions of synced teachers.",
        group="daily sync",
    )
    role_permissions: dict[str, list[str]] = setting(
        {},
        "ROSTER_ROLE_PERMISSIONS",
        "Permissions of any other staff role (counselor, aide, ext:staff for the SIS words "
        "staff and faculty, ...): 'counselor=Family Access; ext:staff=School-Wide "
        "Communications'; a role not named gets none, students and guardians never any.",
        group="daily sync",
    )
    blackout_dates: str = setting(
        "",
        "ROSTER_BLACKOUT_DATES",
        "'Blackout dates': periods in which the daily schedule skips (a sync launched by hand "
        "still runs): 2026-06-20..2026-08-20, or every year 06-20..08-20, comma-separated.",
        group="daily sync",
    )
    rollover_window: str = setting(
        _SYNC.rollover_window,
        "ROSTER_ROLLOVER_WINDOW",
        "Days in which a school-year rollover is approved in advance (07-20..09-10): a batch "
        "that trips the safeguards only the way a rollover does is applied, not held.",
        group="daily sync",
    )
    # -- safeguards
    hold_deactivate_pct: float = setting(
        _HOLD.deactivate_pct,
        "ROSTER_HOLD_DEACTIVATE_PCT",
        "Hold a sync that would deactivate more than this percent of an entity.",
        group="safeguards",
    )
    hold_update_pct: float = setting(
        _HOLD.update_pct,
        "ROSTER_HOLD_UPDATE_PCT",
        "Hold a sync that would update more than this percent of an entity.",
        group="safeguards",
    )
    hold_truncated_ratio: float = setting(
        _HOLD.truncated_ratio,
        "ROSTER_HOLD_TRUNCATED_RATIO",
        "Hold a bulk file with fewer rows than this share of the last applied one.",
        group="safeguards",
    )
    hold_min_records: int = setting(
        _HOLD.min_records,
        "ROSTER_HOLD_MIN_RECORDS",
        "The percent rules apply to entities with at least this many active records.",
        group="safeguards",
    )

    # -- who is told when a sync needs people
    notify_emails: list[str] = setting(
        [],
        "ROSTER_NOTIFY_EMAILS",
        "The district's contacts (comma-separated e-mail addresses) told of each held, failed "
        "or applied-with-errors sync, over the deployment's SMTP server; none: no e-mail.",
        group="notifications",
        per_district=True,
    )
    notify_webhook_url: str = setting(
        "",
        "ROSTER_NOTIFY_WEBHOOK_URL",
        "An address that receives the same notice as a JSON POST (a chat or ticketing hook); "
        "blank: none.",
        group="notifications",
        per_district=True,
    )

    @field_validator("notify_emails")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        bad = [a for a in value if not EMAIL_ADDRESS.match(a)]
        if bad:
            raise ValueError(f"{len(bad)} value(s) are not e-mail addresses")
        return value

    @field_validator("administrator_permissions", "teacher_permissions")
    @classmethod
    def _known_permissions(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(PERMISSIONS))
        if unknown:
            raise ValueError(f"unknown permissions {unknown}; choose from {list(PERMISSIONS)}")
        return value

    @field_validator("role_permissions")
    @classmethod
    def _staff_grants(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        SyncSettings(role_permissions=tuple((r, tuple(p)) for r, p in value.items()))
        return value

    @field_validator("blackout_dates", "rollover_window")
    @classmethod
    def _periods(cls, value: str) -> str:
        parse_periods(value)
        return value

    def blackouts(self) -> tuple[Period, ...]:
        """The blackout periods."""
        return parse_periods(self.blackout_dates)

    def sync_settings(self) -> SyncSettings:
        """The plain value the sync functions take."""
        return SyncSettings(
            tenant_id=self.tenant_id,
            application_id=self.application_id,
            region=self.phone_region,
            manage_guardians=self.sync_manages_guardians,
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

    def archive_limits(self) -> ArchiveLimits:
        """What a zip batch may expand to."""
        return ArchiveLimits(max_bytes=self.zip_max_bytes, max_ratio=self.zip_max_ratio)

    def warehouse(self) -> Warehouse:
        """The district's published DuckDB file."""
        return Warehouse(self.duckdb_path, memory_limit=self.duckdb_memory_limit)

    def results_folder(self) -> Path:
        """Where this district's results workbooks and plots go."""
        return (
            Path(self.results_dir)
            if self.results_dir
            else Path(self.duckdb_path).parent / "results"
        )

    def results_link(self, path: Path) -> str | None:
        """The download address of a results file (None when the folder is not served)."""
        if not self.results_url:
            return None
        return f"{self.results_url.rstrip('/')}/{quote(Path(path).name)}"

    @property
    def school(self) -> str | None:
        """The school of a school-level export, or None for the district."""
        return self.scope_school or None
