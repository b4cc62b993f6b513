"""A small PNG of a sync: changes per entity, and findings per file and code.

Counts, entity names, file names and finding codes only: nothing from a roster row.
"""

from __future__ import annotations

import io
import threading

import polars as pl

CHANGE_COLOURS = {
    "created": "#2e7d32",
    "updated": "#1565c0",
    "deactivated": "#c62828",
    "archived": "#c62828",
    "reactivated": "#f9a825",
    "unarchived": "#f9a825",
    "skipped": "#757575",
}
SEVERITY_COLOURS = {"error": "#c62828", "warning": "#f9a825"}
TOP_FINDINGS = 12


def _import_figure() -> None:
    import matplotlib.figure  # noqa: F401


def warm_up() -> None:
    """Import matplotlib in the background (about a second) while a sync runs.

    The sync spends its time in DuckDB, which releases the GIL; ``plot_sync`` later finds the
    module imported (or waits on Python's import lock until it is).
    """
    threading.Thread(target=_import_figure, name="matplotlib-import", daemon=True).start()


def plot_sync(counts: pl.DataFrame, found: pl.DataFrame) -> bytes:
    """Two bar charts side by side, as PNG bytes (matplotlib's Agg backend, no display)."""
    from matplotlib.figure import Figure  # imported here: only a sync report needs it

    figure = Figure(figsize=(10, 4), dpi=80, layout="constrained")
    left, right = figure.subplots(1, 2)
    _changes(left, counts)
    _findings(right, found)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _changes(axes, counts: pl.DataFrame) -> None:
    """Stacked horizontal bars: records changed per entity, one colour per kind of change."""
    axes.set_title("Records changed, per entity")
    changed = (
        counts.filter(pl.col("change").is_in(list(CHANGE_COLOURS))) if counts.width else counts
    )
    if changed.is_empty():
        axes.text(0.5, 0.5, "No changes", ha="center", va="center", transform=axes.transAxes)
        axes.set_axis_off()
        return
    wide = changed.pivot("change", index="entity", values="n").fill_null(0).sort("entity")
    entities = wide["entity"].to_list()
    start = [0] * len(entities)
    for change, colour in CHANGE_COLOURS.items():
        if change not in wide.columns:
            continue
        values = wide[change].to_list()
        axes.barh(entities, values, left=start, color=colour, label=change)
        start = [a + b for a, b in zip(start, values, strict=True)]
    for y, total in enumerate(start):
        axes.annotate(f" {total:,}", (total, y), va="center", fontsize=8)
    axes.invert_yaxis()
    axes.margins(x=0.15)
    axes.legend(fontsize=8, loc="lower right")
    axes.set_xlabel("records")


def _findings(axes, found: pl.DataFrame) -> None:
    """Horizontal bars: the most frequent (file, code) findings, coloured by severity."""
    axes.set_title("Findings, per file and code")
    if found.is_empty():
        axes.text(0.5, 0.5, "No findings", ha="center", va="center", transform=axes.transAxes)
        axes.set_axis_off()
        return
    top = (
        found.group_by("file", "code", "severity")
        .len()
        .sort(["len", "file", "code"], descending=[True, False, False])
        .head(TOP_FINDINGS)
    )
    labels = [f"{f} {c}" for f, c in zip(top["file"], top["code"], strict=True)]
    colours = [SEVERITY_COLOURS.get(s, "#757575") for s in top["severity"]]
    axes.barh(labels, top["len"].to_list(), color=colours)
    for y, n in enumerate(top["len"]):
        axes.annotate(f" {n:,}", (n, y), va="center", fontsize=8)
    axes.invert_yaxis()
    axes.margins(x=0.15)
    axes.tick_params(axis="y", labelsize=7)
    axes.set_xlabel("rows")
