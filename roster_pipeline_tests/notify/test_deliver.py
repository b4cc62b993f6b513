"""Notices delivered to a real SMTP server and a webhook on the loopback, and their failures."""

from __future__ import annotations

from roster_pipeline.devtools.fleet import free_port
from roster_pipeline.notify.deliver import deliver
from roster_pipeline.notify.notice import Notice
from roster_pipeline.settings.load import load_deployment, load_district
from roster_pipeline_tests.notify.smtp_server import smtp_server
from roster_pipeline_tests.notify.webhook_server import webhook_server

NOTICE = Notice(
    district="west-usd",
    verdict="held",
    batch="2026-11-24-abc",
    message="Sync held, nothing applied: users: 70% of active records would be deactivated.",
    reasons=("users: 70% of active records would be deactivated (limit 10%).",),
    changes={"deactivated": 280, "updated": 3},
    run_id="r1",
    run_url="http://127.0.0.1:3100/runs/r1",
)


def _district(**settings):
    return load_district(overrides={"tenant_id": "west-usd", **settings})


def test_one_email_to_every_contact_and_one_json_post(tmp_path):
    contacts = ["registrar@west.example.org", "it@west.example.org"]
    with smtp_server() as (inbox, port), webhook_server() as (posts, url):
        deployment = load_deployment(
            {
                "ROSTER_SMTP_HOST": "127.0.0.1",
                "ROSTER_SMTP_PORT": str(port),
                "ROSTER_SMTP_TLS": "none",
                "ROSTER_SMTP_SENDER": "roster@hub.example.org",
            }
        )
        delivery = deliver(
            NOTICE, _district(notify_emails=contacts, notify_webhook_url=url), deployment
        )
    assert delivery.sent == ["e-mail to 2 contact(s)", "webhook (HTTP 200)"]
    assert delivery.failed == []
    ((recipients, message),) = inbox.received
    assert sorted(recipients) == sorted(contacts)
    assert message["From"] == "roster@hub.example.org"
    assert message["Subject"] == NOTICE.subject()
    text = message.get_content()
    assert "Outcome: held" in text and "- deactivated: 280" in text
    assert "Run in Dagster: http://127.0.0.1:3100/runs/r1" in text
    (post,) = posts
    assert post["notice"]["verdict"] == "held" and post["notice"]["batch"] == "2026-11-24-abc"
    assert post["text"] == NOTICE.subject()


def test_a_server_that_is_down_loses_the_notice_and_says_so():
    deployment = load_deployment(
        {"ROSTER_SMTP_HOST": "127.0.0.1", "ROSTER_SMTP_PORT": str(free_port())}
    )
    delivery = deliver(NOTICE, _district(notify_emails=["it@west.example.org"]), deployment)
    assert delivery.lost
    (failure,) = delivery.failed
    assert "e-mail to 1 contact(s) through 127.0.0.1:" in failure
    assert "it@west.example.org" not in failure


def test_starttls_against_a_plain_server_fails_instead_of_sending_in_clear():
    with smtp_server() as (inbox, port):
        deployment = load_deployment(
            {"ROSTER_SMTP_HOST": "127.0.0.1", "ROSTER_SMTP_PORT": str(port)}
        )  # ROSTER_SMTP_TLS defaults to starttls
        delivery = deliver(NOTICE, _district(notify_emails=["it@west.example.org"]), deployment)
    assert delivery.lost and "(starttls) failed" in delivery.failed[0]
    assert inbox.received == []


def test_contacts_without_a_server_and_a_failing_webhook_are_reported_not_hidden():
    with webhook_server(status=500) as (posts, url):
        delivery = deliver(
            NOTICE,
            _district(notify_emails=["it@west.example.org"], notify_webhook_url=url),
            load_deployment({}),
        )
    assert delivery.sent == [] and len(delivery.failed) == 2
    assert "no SMTP server (ROSTER_SMTP_HOST)" in delivery.failed[0]
    assert "HTTP Error 500" in delivery.failed[1]
    assert len(posts) == 1
