"""One notice to every channel a district has: its contacts by e-mail, its webhook."""

from __future__ import annotations

from dataclasses import dataclass, field

from roster_pipeline.notify.email import NotifyError, SmtpServer, send_email
from roster_pipeline.notify.notice import Notice
from roster_pipeline.notify.webhook import post_notice
from roster_pipeline.settings.deployment import DeploymentSettings
from roster_pipeline.settings.model import DistrictSettings


@dataclass(frozen=True)
class Delivery:
    """What was sent of one notice, and what failed (no addresses)."""

    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def lost(self) -> bool:
        """Nothing reached anyone although the district has a channel (worth a retry)."""
        return bool(self.failed) and not self.sent


def channels(district: DistrictSettings) -> int:
    """How many channels the district is told through."""
    return int(bool(district.notify_emails)) + int(bool(district.notify_webhook_url))


def deliver(notice: Notice, district: DistrictSettings, deployment: DeploymentSettings) -> Delivery:
    """Send ``notice`` to the district's contacts and its webhook; every channel is tried."""
    sent: list[str] = []
    failed: list[str] = []
    server = SmtpServer.of(deployment)
    if district.notify_emails:
        if server is None:
            failed.append(
                f"{len(district.notify_emails)} contact(s) set but no SMTP server "
                "(ROSTER_SMTP_HOST)"
            )
        else:
            try:
                send_email(notice, list(district.notify_emails), server)
                sent.append(f"e-mail to {len(district.notify_emails)} contact(s)")
            except NotifyError as error:
                failed.append(str(error))
    if district.notify_webhook_url:
        try:
            sent.append(f"webhook (HTTP {post_notice(notice, district.notify_webhook_url)})")
        except NotifyError as error:
            failed.append(str(error))
    return Delivery(sent, failed)
