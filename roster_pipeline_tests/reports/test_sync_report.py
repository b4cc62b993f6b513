"""A sync's results workbook and plot: real sample data, held runs, formulas, the summary."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl

from roster_pipeline.defs import metadata
from roster_pipeline.devtools.generate import generate, write
from roster_pipeline.reports.sync_report import FINDINGS_COLUMNS, report_stem, write_sync_report
from roster_pipeline.sync.run import sync_folder
from roster_pipeline.sync.settings import SyncSettings
from roster_pipeline.warehouse import Warehouse
from roster_pipeline_tests.conftest import SAMPLE, write_batch

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def sheet_rows(path: Path, title: str) -> list[tuple]:
    book = openpyxl.load_workbook(path, read_only=True)
    return [tuple(row) for row in book[title].iter_rows(values_only=True)]


def test_sample_sync_writes_a_workbook_with_every_finding_and_a_plot(tmp_path):
    outcome = sync_folder(SAMPLE, Warehouse(tmp_path / "r.duckdb"), SyncSettings())
    report = write_sync_report(outcome, tmp_path / "results")

    assert report.workbook.parent == tmp_path / "results"
    book = openpyxl.load_workbook(report.workbook, read_only=True)
    assert book.sheetnames == ["summary", "changes", "files", "findings"]
    summary = dict(sheet_rows(report.workbook, "summary")[1:])
    assert summary["status"] == "applied"
    assert summary["batch"] == outcome.batch_id
    assert summary["records created"] == str(outcome.counts.totals()["created"])

    findings = sheet_rows(report.workbook, "findings")
    assert findings[0] == FINDINGS_COLUMNS
    assert len(findings) - 1 == outcome.findings.height > 0
    written = pl.DataFrame(findings[1:], schema=list(findings[0]), orient="row")
    assert sorted(written["code"].to_list()) == sorted(outcome.findings["code"].to_list())

    changes = sheet_rows(report.workbook, "changes")
    users = next(r for r in changes if r[0] == "users")
    assert users[changes[0].index("created")] == str(outcome.counts.n("users", "created"))
    files = sheet_rows(report.workbook, "files")
    assert {r[0] for r in files[1:]} == set(outcome.files["file"])

    assert report.plot.read_bytes() == report.png
    assert report.png.startswith(PNG_SIGNATURE) and len(report.png) > 5_000


def test_each_run_gets_its_own_report_and_a_held_run_has_one_too(tmp_path):
    files = generate(200)
    write(files, tmp_path / "day1")
    store = Warehouse(tmp_path / "r.duckdb")
    first = sync_folder(tmp_path / "day1", store, SyncSettings())
    users = files["users"]
    write({**files, "users": users.head(int(users.height * 0.3))}, tmp_path / "day2")
    held = sync_folder(tmp_path / "day2", store, SyncSettings())
    assert held.status == "held"

    reports = [write_sync_report(o, tmp_path / "results") for o in (first, held)]
    assert len({r.workbook for r in reports}) == 2
    summary = sheet_rows(reports[1].workbook, "summary")
    assert ("status", "held") in summary
    assert any(item == "safeguard" and "truncated" in value for item, value in summary)


def test_risky_cells_are_neutralized_and_odd_batch_ids_make_safe_names(tmp_path):
    folder = write_batch(
        tmp_path / "weird batch=1 (ü)",
        {
            "orgs.csv": "sourcedId,name,type\n00417,North,school\n",
            "users.csv": "sourcedId,orgSourcedIds,role,givenName,familyName\n"
            "=cmd|' /C calc'!A0,00417,wizard,A,B\n",
        },
    )
    outcome = sync_folder(folder, Warehouse(tmp_path / "r.duckdb"), SyncSettings())
    assert "/" not in report_stem(outcome) and " " not in report_stem(outcome)
    report = write_sync_report(outcome, tmp_path / "results")
    cells = [c for row in sheet_rows(report.workbook, "findings")[1:] for c in row if c]
    assert cells and not any(c.startswith("=") for c in cells)
    assert any(c.startswith("'=cmd") for c in cells)


def test_the_summary_names_the_workbook_and_the_metadata_carries_the_plot(tmp_path):
    outcome = sync_folder(SAMPLE, Warehouse(tmp_path / "r.duckdb"), SyncSettings(), mode="preview")
    report = write_sync_report(outcome, tmp_path / "results")
    meta = metadata.sync_outcome(outcome, report)
    assert f"Results workbook: `{report.workbook}`" in meta["summary"].value
    assert meta["results_workbook"].value == str(report.workbook)
    assert meta["plot"].value.startswith("![changes and findings](data:image/png;base64,")
    assert "Results workbook" not in metadata.sync_outcome(outcome)["summary"].value
