"""Run metadata: counts, findings by code, masked previews. Never raw names, emails or phones."""

from __future__ import annotations

import dagster as dg
import polars as pl

from roster_pipeline import findings
from roster_pipeline.privacy import masked_preview


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
