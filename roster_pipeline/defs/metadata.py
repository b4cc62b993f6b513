"""Run metadata: counts, findings by code, masked previews. Never raw names, emails or phones."""

from __future__ import annotations

import base64

import dagster as dg
import polars as pl

from roster_pipeline import findings
from roster_pipeline.privacy import mask_text_expr, masked_preview
from roster_pipeline.reports.sync_report import SyncReport
from roster_pipeline.sync.outcome import SyncOutcome


def findings_table(found: pl.DataFrame, limit: int = 25) -> dg.MetadataValue:
    """Markdown table of finding counts by code and severity."""
    if found.is_empty():
        return dg.MetadataValue.md("No findings.")
    counts = (
        found.group_by("code", "severity")
        .len()
        .sort(["len", "code"], descending=[True, False])
        .head(limit)
    )
    lines = ["| code | severity | count |", "| --- | --- | ---: |"]
    lines += [f"| {c} | {s} | {n} |" for c, s, n in counts.iter_rows()]
    return dg.MetadataValue.md("\n".join(lines))


def preview(frame: pl.DataFrame, rows: int = 5) -> dg.MetadataValue:
    """A small masked preview of a table, as markdown."""
    shown = masked_preview(frame.drop([c for c in frame.columns if c.startswith("_")]), rows)
    if shown.is_empty():
        return dg.MetadataValue.md("(no rows)")
    shown = shown.with_columns(
        pl.col(c).cast(pl.String)
        if shown.schema[c] != pl.List(pl.String)
        else pl.col(c).list.join(",")
        for c in shown.columns
    )
    header = "| " + " | ".join(shown.columns) + " |"
    sep = "| " + " | ".join("---" for _ in shown.columns) + " |"
    body = [
        "| " + " | ".join("" if v is None else str(v) for v in row) + " |"
        for row in shown.iter_rows()
    ]
    return dg.MetadataValue.md("\n".join([header, sep, *body]))


FAILED_ROWS = 50
"""Failed upload rows shown in a run's metadata (all of them are in the results workbook)."""


def failed_rows(results: pl.DataFrame, limit: int = FAILED_ROWS) -> dg.MetadataValue:
    """The upload's FAILED rows as a table in the UI: line, ids, action and the message.

    Any e-mail address in a message is masked; no name, e-mail or phone column is shown.
    """
    shown = [
        c
        for c in ("line", "student_sourced_id", "guardian_sourced_id", "action", "message")
        if c in results.columns
    ]
    failed = (
        results.filter(pl.col("result") == "FAILED")
        .head(limit)
        .select(pl.col(shown).cast(pl.String))
        .with_columns(mask_text_expr(pl.col("message")).alias("message"))
    )
    return dg.MetadataValue.table(
        records=[dg.TableRecord(row) for row in failed.iter_rows(named=True)],
        schema=dg.TableSchema(columns=[dg.TableColumn(c, "string") for c in shown]),
    )


def counts(found: pl.DataFrame) -> dict[str, int]:
    """Finding counts by severity, and how many distinct codes."""
    by_severity = findings.counts_by_severity(found)
    return {
        "errors": by_severity.get(findings.ERROR, 0),
        "warnings": by_severity.get(findings.WARNING, 0),
        "codes": found["code"].n_unique(),
    }


def change_table(counts: pl.DataFrame) -> dg.MetadataValue:
    """Markdown table of a change set's counts: one row per entity, one column per change."""
    if counts.is_empty():
        return dg.MetadataValue.md("No changes.")
    wide = counts.pivot("change", index="entity", values="n").fill_null(0).sort("entity")
    header = "| " + " | ".join(wide.columns) + " |"
    sep = "| --- |" + " ---: |" * (len(wide.columns) - 1)
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in wide.iter_rows()]
    return dg.MetadataValue.md("\n".join([header, sep, *body]))


def _md_text(text: str | None) -> str:
    """Plain text inside a markdown table cell (masks like ``***`` stay visible)."""
    return (text or "").replace("|", "/").replace("*", "\\*").replace("_", "\\_")


def sync_summary(outcome: SyncOutcome, report: SyncReport | None = None) -> dg.MetadataValue:
    """A summary a district admin reads at a glance: changes, safeguards, findings, files.

    With a report, the summary starts with where the results workbook is.
    """
    verb = {
        "previewed": "Preview (nothing applied)",
        "applied": "Applied",
        "held": "Held: nothing applied",
        "discarded": "Discarded: nothing applied",
    }.get(outcome.status, outcome.status)
    parts = [f"### {verb}: batch `{outcome.batch_id}`", ""]
    if outcome.carried_from:
        parts += [
            f"A re-send: its files are byte for byte those of `{outcome.carried_from}`, which "
            "made the live tables, so that sync's result was carried over (nothing read again).",
            "",
        ]
    if outcome.rows_recognised:
        parts += [
            f"{outcome.rows_recognised:,} rows were recognised from the last batch, which "
            "validated them without a finding: they were not read again"
            + (
                f"; {outcome.records_not_compared:,} records were known to stay as they are "
                "(recognised rows that are their live records, deactivated records no file "
                "lists), so were not compared for the changes."
                if outcome.records_not_compared
                else "."
            ),
            "",
        ]
    if report is not None:
        parts += [f"Results workbook: `{report.workbook}`", ""]
    parts += ["**Changes**", ""]
    parts.append(change_table(outcome.counts.counts).value)
    parts += ["", "**Safeguards**", ""]
    parts += [f"- {r}" for r in outcome.reasons] or ["None crossed."]
    found = outcome.findings
    parts += ["", "**Findings**", ""]
    if found.is_empty():
        parts.append("No findings.")
    else:
        by_code = (
            found.group_by("code", "severity")
            .agg(pl.len().alias("n"), pl.col("message").first().alias("example"))
            .sort(["n", "code"], descending=[True, False])
            .head(15)
        )
        parts += ["| code | severity | count | example |", "| --- | --- | ---: | --- |"]
        parts += [
            f"| {c} | {sev} | {n} | {_md_text(ex)[:160]} |" for c, sev, n, ex in by_code.iter_rows()
        ]
    if not outcome.files.is_empty():
        parts += [
            "",
            "**Files**",
            "",
            "| file | read | applied | rejected |",
            "| --- | ---: | ---: | ---: |",
        ]
        parts += [
            f"| {f} | {r} | {a} | {x} |"
            for f, r, a, x in outcome.files.select(
                "file", "rows_read", "rows_applied", "rows_rejected"
            ).iter_rows()
        ]
    return dg.MetadataValue.md("\n".join(parts))


def plot(report: SyncReport) -> dg.MetadataValue:
    """The report's PNG inline, as markdown the UI renders."""
    encoded = base64.b64encode(report.png).decode()
    return dg.MetadataValue.md(f"![changes and findings](data:image/png;base64,{encoded})")


def downloads(**links: str | None) -> dict[str, object]:
    """``<name>_download`` links for the results files the UI can fetch (none when not served)."""
    return {f"{name}_download": dg.MetadataValue.url(url) for name, url in links.items() if url}


def sync_outcome(outcome: SyncOutcome, report: SyncReport | None = None) -> dict[str, object]:
    """Metadata of a sync run: status, reasons, counts (never a value from the files).

    With a report, also the results workbook's path and the plot.
    """
    written: dict[str, object] = {}
    if report is not None:
        written = {
            "results_workbook": dg.MetadataValue.path(str(report.workbook)),
            "plot": plot(report),
        }
    return {
        "summary": sync_summary(outcome, report),
        **written,
        "batch_id": outcome.batch_id,
        "mode": outcome.mode,
        "action": outcome.action,
        "status": outcome.status,
        "hold_reasons": dg.MetadataValue.md(
            "\n".join(f"- {r}" for r in outcome.reasons) or "None."
        ),
        "changes": change_table(outcome.counts.counts),
        **{f"changes_{k}": v for k, v in sorted(outcome.counts.totals().items())},
        "live_version": outcome.version,
        # a re-send: the batch whose result it carried over, its files not read again
        "carried_over_from": outcome.carried_from or "",
        # rows the last batch validated without a finding: not parsed or validated again
        "rows_recognised": outcome.rows_recognised,
        # of those, rows known to be their live records: not compared for the change set
        "records_not_compared": outcome.records_not_compared,
    }
