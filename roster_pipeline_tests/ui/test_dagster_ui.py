"""The Dagster UI in headless Chromium, started the way the README says (``scripts/dev.sh``).

Checks what a data engineer sees: the asset graph with the roster assets, a preview partition of
the sample district launched by clicking Materialize (batch and mode picked in the dialog) and
finished, its materialization with the change counts, the findings table and the results
workbook's path, and the schedule and sensor with their on/off state. Screenshots go to
``ROSTER_SCREENSHOTS_DIR`` when set (``bash scripts/screenshots.sh`` refreshes the docs' ones).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import duckdb
import openpyxl
import pytest

from roster_pipeline_tests.conftest import PROJECT, SAMPLE

CHROMIUM = Path("/usr/bin/chromium")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "scripts/dev.sh exited before the UI came up"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    pytest.fail(f"the UI did not come up at {url}")


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    """The UI of the project on a free loopback port, with the sample in a drop folder."""
    root = tmp_path_factory.mktemp("ui")
    port = free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(root / "home"),
        "ROSTER_SETTINGS_FILE": str(root / "district.toml"),  # none: the defaults
        "ROSTER_DUCKDB_PATH": str(root / "roster.duckdb"),
        "ROSTER_DROP_DIR": str(root / "drop"),
        "ROSTER_SETTLE_SECONDS": "0",
        "ROSTER_RESULTS_DIR": str(root / "results"),
        # the walkthrough's guardians Dry Run: uploads rule, the roster's links are ignored
        "ROSTER_SYNC_MANAGES_GUARDIANS": "false",
        "ROSTER_GUARDIANS_PATH": str(PROJECT / "data" / "guardians.csv"),
        "ROSTER_RELATIONSHIPS_PATH": str(PROJECT / "data" / "relationships.csv"),
        "PORT": str(port),
        "RESULTS_PORT": str(free_port()),
    }
    shutil.copytree(SAMPLE, root / "drop" / "2026-11-25")  # a batch the walkthrough adds by hand
    log = (root / "dev.log").open("w")
    process = subprocess.Popen(
        ["bash", "scripts/dev.sh"], cwd=PROJECT, env=env, stdout=log, stderr=log,
        start_new_session=True,
    )  # fmt: skip
    try:
        wait_until_up(f"http://127.0.0.1:{port}/server_info", process)
        yield {"port": port, "home": root / "home", "root": root}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def launch_by_clicks(page, partitions: tuple[str, ...]) -> str:
    """Materialize... -> pick each partition dimension's key -> Launch 1 run; the run's id."""
    page.get_by_role("button", name="Materialize", exact=False).first.click()
    also = page.get_by_text("Additional assets will be materialized")  # a multi-asset's others
    page.wait_for_timeout(1500)
    if also.count():
        page.get_by_role("button", name="Confirm").click()
    dialog = page.locator("[role=dialog]")
    dialog.get_by_text("Partition selection").wait_for(timeout=30_000)
    for value in partitions:  # the batch dimension first, then the mode
        dialog.get_by_text("Select a partition or create one").first.click()
        page.get_by_role("menuitem").filter(has_text=value).last.click()
        page.keyboard.press("Escape")
    dialog.get_by_text("1 partition", exact=True).wait_for(timeout=10_000)
    dialog.get_by_role("button", name="Launch 1 run").click()
    launched = page.locator("a[href^='/runs/']").filter(has_text="View").first
    launched.wait_for(timeout=30_000)
    return launched.get_attribute("href").removeprefix("/runs/")


def add_partition_by_hand(page, batch: str) -> str:
    """Materialize... -> Add a partition -> ``batch`` -> Save; the dialog's text afterwards."""
    page.get_by_role("button", name="Materialize", exact=False).first.click()
    page.wait_for_timeout(1500)
    if page.get_by_text("Additional assets will be materialized").count():
        page.get_by_role("button", name="Confirm").click()
    dialog = page.locator("[role=dialog]")
    dialog.get_by_text("Partition selection").wait_for(timeout=30_000)
    page.get_by_text("Add a partition").first.click()
    adding = page.locator("[role=dialog]").filter(has_text="Add a partition for roster_batches")
    adding.locator("input").first.fill(batch)
    adding.get_by_role("button", name="Save").click()
    page.wait_for_timeout(2000)
    text = page.inner_text("body")
    dialog.get_by_text("Select a partition or create one").first.click()
    page.get_by_role("menuitem").filter(has_text=batch).first.wait_for(timeout=10_000)
    page.keyboard.press("Escape")
    dialog.get_by_role("button", name="Cancel").click()
    return text


def approve_in_launchpad(page, partition: str) -> str:
    """Materialize's menu -> Open launchpad -> the partition, ``action: approve`` -> Materialize."""
    button = page.get_by_role("button", name="Materialize", exact=False).first.bounding_box()
    page.mouse.click(button["x"] + button["width"] + 12, button["y"] + button["height"] / 2)
    page.get_by_role("menuitem").filter(has_text="Open launchpad").first.click()
    page.wait_for_timeout(1500)
    if page.get_by_text("Additional assets will be materialized").count():
        page.get_by_role("button", name="Confirm").click()
    pad = page.locator("[role=dialog]")
    pad.get_by_text("Launchpad").first.wait_for(timeout=30_000)
    picker = pad.get_by_placeholder("Partition")
    picker.click()
    picker.fill(partition)
    page.get_by_role("menuitem").filter(has_text=partition).first.wait_for(timeout=10_000)
    page.keyboard.press("Enter")
    page.wait_for_timeout(1500)  # the config is scaffolded again for the partition
    line = pad.locator(".CodeMirror-line").filter(has_text="action")
    line.first.click()
    page.keyboard.press("End")
    for _ in line.first.inner_text().split("action:")[1].strip():
        page.keyboard.press("Backspace")
    page.keyboard.type("approve")
    pad.locator(".CodeMirror-line").filter(has_text="approve").wait_for(timeout=10_000)
    pad.get_by_role("button", name="Materialize").last.click()
    page.wait_for_url("**/runs/**", timeout=30_000)
    return page.url.rsplit("/runs/", 1)[1]


def screenshot(page, name: str, tmp: Path) -> Path:
    folder = Path(os.environ.get("ROSTER_SCREENSHOTS_DIR") or tmp)
    folder.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(1500)  # let dialogs finish fading in
    page.screenshot(path=str(folder / name), full_page=False)
    return folder / name


def users_now(ui: dict) -> int:
    with duckdb.connect(str(ui["root"] / "roster.duckdb"), read_only=True) as con:
        return con.execute("SELECT count(*) FROM users").fetchall()[0][0]


def test_the_readme_walkthrough_click_by_click(ui, tmp_path):
    """The README's UI walkthrough, step by step, through the real dialogs."""
    base = f"http://127.0.0.1:{ui['port']}"
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 960})

        def visit(path: str, expect: str) -> str:
            page.goto(base + path)
            page.get_by_text(expect, exact=False).first.wait_for(timeout=60_000)
            page.wait_for_load_state("networkidle")
            skip = page.get_by_role("button", name="Skip")  # the first-visit newsletter dialog
            if skip.count():
                skip.click()
            return page.inner_text("body")

        def finished(run_id: str, outcome: str) -> str:
            visit(f"/runs/{run_id}", run_id[:8])
            page.get_by_text(outcome).first.wait_for(timeout=180_000)
            return page.inner_text("body")

        # 1. the lineage: files -> validated -> plan -> tables
        graph = visit("/asset-groups", "roster")
        for group in ("sync", "roster", "guardians", "relationships", "districts"):
            assert group in graph
        page.wait_for_timeout(2000)
        assert screenshot(page, "asset-graph.png", tmp_path).stat().st_size > 10_000
        catalog = visit("/assets", "sync_plan")
        for asset in ("users", "enrollments", "student_guardians", "findings", "sync_plan"):
            assert asset in catalog

        # 2. dev.sh applied day 1: what is in users, since which batch, did its checks pass
        first = users_now(ui)
        users = visit("/assets/users", "Row count")
        assert f"Row count\n{first}" in users and "Latest check results" in users
        assert "2026-11-23-" in users and "VARCHAR[]" in users  # the batch, the columns
        assert screenshot(page, "users-after-apply.png", tmp_path).stat().st_size > 10_000
        checks = visit("/assets/users?view=checks", "users_ids_unique")
        assert "users_ids_unique" in checks and "Passed" in checks

        # 3. a batch put in the drop folder by hand becomes a partition by hand, without error
        visit("/assets/sync_plan", "sync_plan")
        added = add_partition_by_hand(page, "2026-11-25")
        assert "Could not find partition" not in added

        # 4. preview day 2: the change set, nothing live changes
        visit("/assets/sync_plan", "sync_plan")
        finished(launch_by_clicks(page, ("2026-11-24", "preview")), "RUN_SUCCESS")
        synced = visit("/assets/sync_plan", "2026-11-24|preview")
        assert "2026-11-24|preview" in synced and "previewed" in synced
        assert "changes_archived" in synced and "users" in synced
        page.get_by_text("[Show Markdown]").first.click()
        page.get_by_text("Findings", exact=True).first.wait_for(timeout=30_000)
        body = page.inner_text("body")
        assert "USR_ID_DUPLICATE" in body and "Safeguards" in body
        assert "Results workbook:" in body and ".xlsx" in body
        workbooks = list(
            (ui["root"] / "results").glob("sync-2026-11-24-*-preview-previewed-*.xlsx")
        )
        assert len(workbooks) == 1
        folder = Path(os.environ.get("ROSTER_SCREENSHOTS_DIR") or tmp_path)
        shutil.copyfile(workbooks[0].with_suffix(".png"), folder / "sync-plot.png")
        assert screenshot(page, "sync-summary.png", tmp_path).stat().st_size > 10_000
        assert users_now(ui) == first
        # the workbook is a download from the UI: the run metadata's link to the served folder
        visit("/assets/sync_plan", "results_workbook_download")
        link = page.locator("a[href$='.xlsx']").filter(has_text="preview-previewed").first
        link.evaluate("a => a.removeAttribute('target')")  # download in this tab, not a popup
        with page.expect_download() as fetched:
            link.click()
        saved = tmp_path / fetched.value.suggested_filename
        fetched.value.save_as(saved)
        assert saved.read_bytes() == workbooks[0].read_bytes()
        assert openpyxl.load_workbook(saved).sheetnames[:2] == ["summary", "changes"]

        # 5. apply day 2: 10 of 66 classes close, more than the 10% safeguard allows: held
        visit("/assets/sync_plan", "sync_plan")
        held = finished(launch_by_clicks(page, ("2026-11-24", "apply")), "RUN_FAILURE")
        assert "Sync held, nothing applied" in held and "action: approve" in held
        assert screenshot(page, "held-sync.png", tmp_path).stat().st_size > 10_000
        assert users_now(ui) == first

        # 6. approve it in the Launchpad: the plan is applied as held
        visit("/assets/sync_plan", "sync_plan")
        finished(approve_in_launchpad(page, "2026-11-24|apply"), "RUN_SUCCESS")
        assert screenshot(page, "approved-sync.png", tmp_path).stat().st_size > 10_000
        second = users_now(ui)
        users = visit("/assets/users", "Row count")
        assert f"Row count\n{second}" in users and "2026-11-24-" in users

        # 7. a guardians Dry Run: per-row results with their messages, nothing applied
        visit("/assets/guardian_upload", "guardian_upload")
        finished(launch_by_clicks(page, ("preview",)), "RUN_SUCCESS")
        dry = visit("/assets/guardian_upload", "failed_rows")
        if "No student has id" not in dry:
            page.get_by_text("[Show Table]").first.click()
            page.get_by_text("No student has id", exact=False).first.wait_for(timeout=30_000)
            dry = page.inner_text("body")
        assert "No student has id '9999999'" in dry and "result_FAILED" in dry
        with duckdb.connect(str(ui["root"] / "roster.duckdb"), read_only=True) as con:
            uploaded = "SELECT count(*) FROM student_guardians WHERE source = 'guardians_upload'"
            assert con.execute(uploaded).fetchall() == [(0,)]  # a Dry Run applies nothing
        page.get_by_text("No student has id '9999999'").first.scroll_into_view_if_needed()
        assert screenshot(page, "guardians-dry-run.png", tmp_path).stat().st_size > 10_000

        # 8. a relationships preview
        visit("/assets/relationship_import", "relationship_import")
        finished(launch_by_clicks(page, ("preview",)), "RUN_SUCCESS")
        related = visit("/assets/relationship_import", "data_check")
        assert "preview" in related
        assert screenshot(page, "relationships-preview.png", tmp_path).stat().st_size > 10_000

        # 9. automation: the daily syncs and sensors are off until the district turns them on
        automation = visit("/automation", "daily_roster_sync")
        assert "new_batch_sensor" in automation and "daily_district_syncs" in automation
        assert "notify_failed_syncs" in automation and "notify_syncs_with_errors" in automation
        switches = page.locator("input[type='checkbox']:not([aria-label='Select all'])")
        states = [s.is_checked() for s in switches.all()]
        assert states.count(True) == 0 and len(states) >= 4
        browser.close()
