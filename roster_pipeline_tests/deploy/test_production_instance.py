"""The production instance for real: scripts/deploy-local.sh starts PostgreSQL, the daemon and
the UI; five districts, each with its own settings file and drop folder, are previewed and
applied by the daemon's sensor and schedule through the run queue; the truncated district is
held and its contacts, alone, get one message; a daemon restart keeps the history; stop stops
everything it started. No mocks: a real PostgreSQL, a real daemon, a real SMTP server."""

from __future__ import annotations

import json
import shutil
import socket
import tempfile
import time
import zipfile
from pathlib import Path

import duckdb
import pytest

from roster_pipeline.defs.districts.run_records import (
    district_overlaps,
    district_runs,
    most_in_flight,
    wait_for_runs,
)
from roster_pipeline.devtools.fleet import (
    Deployment,
    drop,
    postgres_missing,
    settled,
    write_district,
)
from roster_pipeline.devtools.generate import add_mistakes, generate
from roster_pipeline.devtools.next_day import next_day
from roster_pipeline_tests.conftest import truncated_copy
from roster_pipeline_tests.notify.privacy_check import leaked, personal_values
from roster_pipeline_tests.notify.smtp_server import smtp_server
from roster_pipeline_tests.notify.webhook_server import webhook_server

pytestmark = pytest.mark.skipif(postgres_missing() is not None, reason=str(postgres_missing()))

DAY1, DAY2 = "2026-11-23", "2026-11-24"
CONTACTS = {
    "north-usd": ["registrar@north.example.org"],
    "south-usd": ["it@south.example.org"],
    "east-usd": ["it@east.example.org"],
    "west-usd": ["registrar@west.example.org", "it@west.example.org"],
    "central-usd": ["it@central.example.org"],
}


def _toml_list(values: list[str]) -> str:
    return json.dumps(values)


def _zipped(folder: Path) -> Path:
    """The export as the .zip an SIS uploads (the folder removed)."""
    archive = folder.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
        for file in sorted(folder.iterdir()):
            packed.write(file, file.name)
    shutil.rmtree(folder)
    return settled(archive.parent) / archive.name


def _closed(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _processes_naming(text: str) -> list[int]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text in cmdline.read_bytes().decode(errors="replace"):
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


def _wait_for_mail(inbox, count: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while len(inbox.received) < count and time.monotonic() < deadline:
        time.sleep(1)


def test_districts_run_through_the_daemon_queue_and_people_are_told_once(request):
    base = Path(tempfile.mkdtemp(prefix="roster-prod-", dir="/tmp"))  # postgres can reach it
    request.addfinalizer(lambda: shutil.rmtree(base, ignore_errors=True))
    with smtp_server() as (inbox, smtp_port), webhook_server() as (posts, hook_url):
        deployment = Deployment.in_folder(
            base,
            max_runs=3,
            ROSTER_SMTP_HOST="127.0.0.1",
            ROSTER_SMTP_PORT=str(smtp_port),
            ROSTER_SMTP_TLS="none",
            ROSTER_SMTP_SENDER="roster-sync@hub.example.org",
        )
        root = deployment.districts
        homes = {}
        for tenant, contacts in CONTACTS.items():
            extra = f"notify_emails = {_toml_list(contacts)}\n"
            if tenant == "central-usd":
                extra += f'notify_webhook_url = "{hook_url}"\n'
            homes[tenant] = write_district(root, tenant, extra, daily=tenant != "east-usd")
        files = {
            "north-usd": generate(400, seed=1),
            "south-usd": generate(300, seed=2),
            "east-usd": generate(250, seed=3),
            "west-usd": generate(400, seed=4),
            "central-usd": add_mistakes(generate(300, seed=5)),  # rows rejected by errors
        }
        for tenant, tables in files.items():
            drop(homes[tenant], DAY1, tables)
        _zipped(homes["east-usd"] / "drop" / DAY1)  # east's SIS uploads a .zip
        west_day1 = homes["west-usd"] / "drop" / DAY1
        personal = personal_values(west_day1) | personal_values(homes["north-usd"] / "drop" / DAY1)

        try:
            out = deployment.script("start")
            assert "PostgreSQL on 127.0.0.1" in out and "dagster-daemon runs" in out
            pids = deployment.pids()
            assert set(pids) == {"daemon", "webserver"}
            with deployment.instance() as instance:
                # Day 1: every district previewed on arrival (sensor), applied by the schedule
                # (east-usd's daily sync is off: previewed only).
                day1 = wait_for_runs(
                    instance,
                    lambda rs: (
                        sum(r.mode == "preview" for r in rs) == 5
                        and sum(r.mode == "apply" for r in rs) == 4
                    ),
                    timeout=240,
                    what="day 1",
                )
                assert {(r.district, r.mode, r.status) for r in day1} == {
                    *((t, "preview", "SUCCESS") for t in CONTACTS),
                    *((t, "apply", "SUCCESS") for t in CONTACTS if t != "east-usd"),
                }
                _wait_for_mail(inbox, 1)

            # The daemon restarts (a deploy, a crash) while the next exports arrive.
            before = {(r.run_id, r.status) for r in day1}
            deployment.script("restart-daemon")
            assert deployment.pids()["daemon"] != pids["daemon"]
            drop(homes["north-usd"], DAY2, next_day(files["north-usd"]))
            settled(truncated_copy(west_day1, homes["west-usd"] / "drop" / DAY2))

            with deployment.instance() as instance:
                runs = wait_for_runs(
                    instance,
                    lambda rs: len(rs) == 13 and all(r.end for r in rs),
                    timeout=240,
                    what="day 2",
                )
                assert before <= {(r.run_id, r.status) for r in runs}  # history kept
                new = [r for r in runs if (r.run_id, r.status) not in before]
                assert sorted((r.district, r.mode, r.status) for r in new) == [
                    ("north-usd", "apply", "SUCCESS"),
                    ("north-usd", "preview", "SUCCESS"),
                    ("west-usd", "apply", "FAILURE"),  # held
                    ("west-usd", "preview", "SUCCESS"),
                ]
                held = next(r for r in new if r.district == "west-usd" and r.mode == "apply")
                _wait_for_mail(inbox, 2)
                time.sleep(15)  # three more looks of the sensors: nothing else may be sent
                again = district_runs(instance)
            # the queue: never two runs of one district at once, never more than MAX_RUNS
            assert district_overlaps(runs) == []
            assert 2 <= most_in_flight(runs) <= 3
            assert len(again) == 13  # the schedule's next ticks re-request nothing
        finally:
            stopped = deployment.script("stop")

    # People told: exactly one held message, to west-usd's contacts; one applied-with-errors
    # message (and one webhook POST) for central-usd; nobody else.
    assert sorted(sorted(rcpts) for rcpts, _ in inbox.received) == [
        sorted(CONTACTS["central-usd"]),
        sorted(CONTACTS["west-usd"]),
    ]
    (west_mail,) = inbox.to("registrar@west.example.org")
    assert west_mail["Subject"].startswith(f"west-usd: sync held, batch {DAY2}-")
    assert west_mail["From"] == "roster-sync@hub.example.org"
    text = west_mail.get_content()
    assert "Outcome: held" in text and "Reasons:" in text and "users" in text
    assert f"Run in Dagster: {deployment.ui_url}/runs/{held.run_id}" in text
    assert leaked(west_mail["Subject"] + text, personal) == []
    (central_mail,) = inbox.to("it@central.example.org")
    assert central_mail["Subject"].startswith(f"central-usd: applied, rows rejected, batch {DAY1}")
    assert "rows rejected: " in central_mail.get_content()
    assert [p["notice"]["verdict"] for p in posts] == ["applied with errors"]
    assert posts[0]["notice"]["district"] == "central-usd"

    # The tables: west-usd kept day 1 (the hold applied nothing), north-usd has day 2.
    def applies(tenant):
        with duckdb.connect(str(homes[tenant] / "roster.duckdb"), read_only=True) as con:
            return con.execute(
                "SELECT status FROM sync_runs WHERE mode = 'apply' ORDER BY started_at"
            ).fetchall()

    assert applies("west-usd") == [("applied",), ("held",)]
    assert applies("north-usd") == [("applied",), ("applied",)]
    assert not (homes["east-usd"] / "roster.duckdb").exists() or applies("east-usd") == []

    # Shut down: the daemon, the UI (and their code servers), PostgreSQL.
    assert "PostgreSQL stopped" in stopped
    assert deployment.pids() == {}
    assert _processes_naming(str(base)) == []
    assert _closed(int(deployment.environment["PG_PORT"]))
    assert _closed(int(deployment.environment["PORT"]))
