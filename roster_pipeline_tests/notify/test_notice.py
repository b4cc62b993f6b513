"""The notice of a sync that needs people: counts, reasons, batch; never a child's data."""

from __future__ import annotations

import json

from roster_pipeline.notify.notice import FAILED, Notice, failed_notice, notice_for
from roster_pipeline.runner.sync_runner import run_sync
from roster_pipeline.settings.load import load_district
from roster_pipeline_tests.conftest import SAMPLE, truncated_copy
from roster_pipeline_tests.notify.privacy_check import leaked, personal_values


def test_a_held_sync_tells_counts_and_reasons_and_no_personal_data(tmp_path):
    settings = load_district(
        overrides={"duckdb_path": str(tmp_path / "roster.duckdb"), "tenant_id": "north-usd"}
    )
    assert run_sync(SAMPLE, settings).status in ("applied", "applied with errors")
    day2 = truncated_copy(SAMPLE, tmp_path / "drop" / "2026-11-24")
    held = run_sync(day2, settings)
    assert held.status == "held"

    notice = notice_for(held, "north-usd", "http://127.0.0.1:1/sync.xlsx")
    assert notice is not None
    assert (notice.district, notice.verdict) == ("north-usd", "held")
    assert notice.batch == held.outcome.batch_id and notice.batch.startswith("2026-11-24-")
    assert notice.reasons and any("users" in r for r in notice.reasons)
    assert notice.changes.get("deactivated", 0) > 0
    subject, body = notice.subject(), notice.body()
    assert subject == f"north-usd: sync held, batch {notice.batch}"
    assert "Reasons:" in body and notice.reasons[0] in body
    assert "Results workbook: http://127.0.0.1:1/sync.xlsx" in body
    assert "action: approve" in body  # what to do next

    everything = subject + body + json.dumps(notice.as_json())
    values = personal_values(SAMPLE)
    assert len(values) > 20
    assert leaked(everything, values) == []
    assert Notice.from_json(json.loads(json.dumps(notice.as_json()))) == notice

    linked = notice.linked("abc123", "http://127.0.0.1:3100/runs/abc123")
    assert "Run in Dagster: http://127.0.0.1:3100/runs/abc123" in linked.body()


def test_nobody_is_told_of_a_clean_apply_or_a_preview(tmp_path):
    settings = load_district(overrides={"duckdb_path": str(tmp_path / "roster.duckdb")})
    preview = run_sync(SAMPLE, settings, mode="preview")
    assert notice_for(preview, "x") is None


def test_an_unexpected_error_is_told_masked_and_short():
    error = "KeyError: 'ana@school.org' in row\n" + "x" * 2000
    notice = failed_notice("south-usd", "2026-11-24", error)
    assert notice.verdict == FAILED
    assert "ana@school.org" not in notice.message and "***@school.org" in notice.message
    assert len(notice.message) < 700
    assert notice.subject() == "south-usd: sync failed, batch 2026-11-24"
