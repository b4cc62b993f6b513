"""Run metadata: counts, findings by code, masked previews. Never raw names, emails or phones."""

from __future__ import annotations

import dagster as dg
import polars as pl

from roster_pipeline import findings
from roster_pipeline.privacy import masked_preview
from roster_pipeline.sync.run import SyncOutcome


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


def counts(found: pl.DataFrame) -> dict[str, int]:
    """Finding counts by severity, and how many distinct codes."""
    return {
        "errors": int((found["severity"] == findings.ERROR).sum()),
        "warnings": int((found["severity"] == findings.WARNING).sum()),
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


def sync_outcome(outcome: SyncOutcome) -> dict[str, object]:
    """Metadata of a sync run: status, reasons, counts (never a value from the files)."""
    return {
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
    }
