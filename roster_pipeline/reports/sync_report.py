"""A sync run's results for people: a workbook (summary, changes, files, findings) and a plot.

The workbook is the district admin's copy of what the run did, row by row for findings; the
plot shows changes per entity and findings per file and code. Both are written next to each
other in the results folder, named by batch, mode, status and run, and never overwrite an
earlier run's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from roster_pipeline.reports.results_file import EXCEL_MAX_ROWS, neutralize, write_sheets
from roster_pipeline.reports.sync_plot import plot_sync
from roster_pipeline.sync.outcome import SyncOutcome

FINDINGS_COLUMNS = ("file", "line", "column_name", "sourced_id", "code", "severity", "message")
MAX_FINDING_ROWS = EXCEL_MAX_ROWS - 10
"""Findings beyond this (Excel's sheet limit) are in the DuckDB ``findings`` table only."""


@dataclass(frozen=True)
class SyncReport:
    """Where a run's results were written."""

    workbook: Path
    plot: Path
    png: bytes
    """The plot itself, for run metadata (counts, codes and file names only)."""


def report_stem(outcome: SyncOutcome) -> str:
    """``sync-<batch>-<mode>-<status>-<run>``, safe as a file name whatever the batch id."""
    batch = re.sub(r"[^A-Za-z0-9._-]+", "_", outcome.batch_id).strip("._") or "batch"
    return f"sync-{batch[:80]}-{outcome.mode}-{outcome.status}-{outcome.run_id[:12]}"


def _summary(outcome: SyncOutcome) -> pl.DataFrame:
    rows = [
        ("batch", outcome.batch_id),
        ("status", outcome.status),
        ("mode", outcome.mode),
        ("action", outcome.action),
        ("run", outcome.run_id),
        ("live version after the run", str(outcome.version)),
        *(("safeguard", reason) for reason in outcome.reasons),
        *((f"records {change}", str(n)) for change, n in sorted(outcome.counts.totals().items())),
    ]
    return pl.DataFrame(rows, schema={"item": pl.String, "value": pl.String}, orient="row")


def _changes(outcome: SyncOutcome) -> pl.DataFrame:
    counts = outcome.counts.counts
    if counts.is_empty():
        return pl.DataFrame({"entity": [], "change": [], "n": []}, schema=counts.schema or None)
    return counts.pivot("change", index="entity", values="n").fill_null(0).sort("entity")


def _findings(outcome: SyncOutcome) -> tuple[pl.DataFrame, str | None]:
    found = outcome.findings
    if found.is_empty():
        return pl.DataFrame(
            {c: [] for c in FINDINGS_COLUMNS}, schema=dict.fromkeys(FINDINGS_COLUMNS, pl.String)
        ), None
    found = found.select(FINDINGS_COLUMNS).sort("file", "line", nulls_last=False)
    note = None
    if found.height > MAX_FINDING_ROWS:
        note = (
            f"The first {MAX_FINDING_ROWS} of {found.height} findings (a sheet's limit); "
            "all of them are in the findings table of the DuckDB file."
        )
        found = found.head(MAX_FINDING_ROWS)
    text = found.select(pl.all().cast(pl.String))
    return text.select(neutralize(pl.col(c)).alias(c) for c in text.columns), note


def write_sync_report(outcome: SyncOutcome, folder: Path) -> SyncReport:
    """Write ``<stem>.xlsx`` and ``<stem>.png`` into ``folder``; return where they are."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = report_stem(outcome)
    findings, note = _findings(outcome)
    sheets = [
        ("summary", _summary(outcome), None),
        ("changes", _changes(outcome), None),
        ("files", outcome.files.drop("sha256", strict=False), None),
        ("findings", findings, note),
    ]
    workbook = folder / f"{stem}.xlsx"
    write_sheets([(t, f, n) for t, f, n in sheets if f.width], workbook)
    png = plot_sync(outcome.counts.counts, outcome.findings)
    plot = folder / f"{stem}.png"
    plot.write_bytes(png)
    return SyncReport(workbook, plot, png)
