"""What the whole code location shares: districts folder, schedules, automation, SMTP, the UI.

Read from ``ROSTER_*`` variables only (``settings.load.load_deployment``), when the definitions
load; listed in ``docs/settings.md`` under "deployment".
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

from roster_pipeline.settings.fields import EMAIL_ADDRESS, setting

SMTP_TLS = ("starttls", "ssl", "none")
"""How the SMTP connection is secured: STARTTLS upgrade, TLS from the start, or plain."""


class DeploymentSettings(BaseModel):
    """What the whole code location shares, read when its definitions load (never per district)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    settings_file: str = setting(
        "district.toml",
        "ROSTER_SETTINGS_FILE",
        "The settings file of the code location's own district (relative: in data/); its "
        "folder is that district's home, against which its relative paths resolve.",
        group="deployment",
    )
    districts_dir: str = setting(
        "districts",
        "ROSTER_DISTRICTS_DIR",
        "One folder per district of a many-district deployment (relative: in data/): "
        "<tenant>/district.toml, <tenant>/drop/; a sensor registers each new one.",
        group="deployment",
    )
    sync_cron: str = setting(
        "0 6 * * *",
        "ROSTER_SYNC_CRON",
        "When the daily sync's schedules tick (cron).",
        group="deployment",
    )
    sync_timezone: str = setting(
        "America/New_York",
        "ROSTER_SYNC_TIMEZONE",
        "The time zone of the schedules and of blackout dates.",
        group="deployment",
    )
    automation: bool = setting(
        False,
        "ROSTER_AUTOMATION",
        "Start the districts' sensors and schedule and the notification sensors as soon as the "
        "code location loads (a production instance, scripts/deploy-local.sh); off: each is "
        "turned on in the UI.",
        group="deployment",
    )
    sensor_interval: int = setting(
        60,
        "ROSTER_SENSOR_INTERVAL",
        "Seconds between two looks of a sensor (new districts and batches, finished runs).",
        group="deployment",
    )
    ui_url: str = setting(
        "",
        "ROSTER_UI_URL",
        "The Dagster UI's address, for the run link in notifications (blank: no link).",
        group="deployment",
    )
    smtp_host: str = setting(
        "",
        "ROSTER_SMTP_HOST",
        "The SMTP server notifications are sent through; blank: no e-mail is sent.",
        group="deployment",
    )
    smtp_port: int = setting(587, "ROSTER_SMTP_PORT", "The SMTP server's port.", group="deployment")
    smtp_tls: str = setting(
        "starttls",
        "ROSTER_SMTP_TLS",
        "How the SMTP connection is secured: starttls, ssl (TLS from the start) or none (a relay "
        "on the loopback only).",
        group="deployment",
    )
    smtp_sender: str = setting(
        "",
        "ROSTER_SMTP_SENDER",
        "The From address of notifications.",
        group="deployment",
    )
    smtp_username: str = setting(
        "", "ROSTER_SMTP_USERNAME", "The SMTP login; blank: none.", group="deployment"
    )
    smtp_password: SecretStr = setting(
        SecretStr(""),
        "ROSTER_SMTP_PASSWORD",
        "The SMTP password (a variable only; never shown in the UI or logs).",
        group="deployment",
    )

    @field_validator("smtp_tls")
    @classmethod
    def _tls(cls, value: str) -> str:
        if value not in SMTP_TLS:
            raise ValueError(f"{value!r} is not one of {', '.join(SMTP_TLS)}")
        return value

    @field_validator("smtp_sender")
    @classmethod
    def _sender(cls, value: str) -> str:
        if value and not EMAIL_ADDRESS.match(value):
            raise ValueError("not an e-mail address")
        return value

    def run_link(self, run_id: str) -> str | None:
        """The UI page of a run (None when the UI's address is not set)."""
        return f"{self.ui_url.rstrip('/')}/runs/{run_id}" if self.ui_url else None
