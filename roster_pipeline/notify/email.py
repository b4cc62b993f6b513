"""Notices by e-mail, over the deployment's SMTP server (STARTTLS, TLS or a loopback relay)."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from roster_pipeline.notify.notice import Notice
from roster_pipeline.settings.deployment import DeploymentSettings

TIMEOUT_SECONDS = 30


class NotifyError(RuntimeError):
    """A notice could not be delivered (the sensor retries it on its next look)."""


@dataclass(frozen=True)
class SmtpServer:
    """Where and how e-mail is sent."""

    host: str
    port: int
    tls: str
    """starttls, ssl or none."""
    sender: str
    username: str = ""
    password: str = ""

    @classmethod
    def of(cls, deployment: DeploymentSettings) -> SmtpServer | None:
        """The deployment's server, or None when no SMTP host is set."""
        if not deployment.smtp_host:
            return None
        return cls(
            host=deployment.smtp_host,
            port=deployment.smtp_port,
            tls=deployment.smtp_tls,
            sender=deployment.smtp_sender or f"roster-sync@{deployment.smtp_host}",
            username=deployment.smtp_username,
            password=deployment.smtp_password.get_secret_value(),
        )


def email_message(notice: Notice, sender: str, recipients: list[str]) -> EmailMessage:
    """The notice as an e-mail."""
    message = EmailMessage()
    message["Subject"] = notice.subject()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message.set_content(notice.body())
    return message


def send_email(notice: Notice, recipients: list[str], server: SmtpServer) -> None:
    """Send the notice to ``recipients`` (one message, every recipient on it)."""
    message = email_message(notice, server.sender, recipients)
    context = ssl.create_default_context()
    try:
        if server.tls == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                server.host, server.port, timeout=TIMEOUT_SECONDS, context=context
            )
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)
        with client:
            if server.tls == "starttls":
                client.starttls(context=context)
            if server.username:
                client.login(server.username, server.password)
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as failed:
        raise NotifyError(
            f"e-mail to {len(recipients)} contact(s) through {server.host}:{server.port} "
            f"({server.tls}) failed: {failed.__class__.__name__}: {failed}"
        ) from None
