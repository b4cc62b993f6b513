"""Notices as a JSON POST to a district's webhook (a chat channel, a ticketing system)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from roster_pipeline.notify.email import NotifyError
from roster_pipeline.notify.notice import Notice

TIMEOUT_SECONDS = 10


def post_notice(notice: Notice, url: str) -> int:
    """POST the notice's JSON to ``url``; the HTTP status, or ``NotifyError``."""
    body = json.dumps({"text": notice.subject(), "notice": notice.as_json()}).encode()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:
            return int(answer.status)
    except (OSError, urllib.error.URLError) as failed:
        raise NotifyError(f"webhook POST failed: {failed.__class__.__name__}: {failed}") from None
