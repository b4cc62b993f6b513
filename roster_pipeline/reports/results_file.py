"""Per-row results as a workbook (.xlsx, text cells only) and a formula-safe CSV.

One writer for every upload kind (guardians, relationships): the uploaded columns, then
result, action, the id the row landed on, and the message.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import xlsxwriter

# OWASP CSV injection: cells a spreadsheet would evaluate start with one of these.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(column: pl.Expr) -> pl.Expr:
    """Prefix a single quote to a value a spreadsheet would read as a formula."""
    risky = pl.any_horizontal(column.str.starts_with(c) for c in FORMULA_START)
    return pl.when(risky).then(pl.lit("'") + column).otherwise(column)


def results_frame(uploaded: pl.DataFrame, results: pl.DataFrame, id_column: str) -> pl.DataFrame:
    """The uploaded rows (``_line`` + their columns), then result, action, id and message.

    ``results`` has ``line``, ``result``, ``action``, ``message`` and ``id_column`` (the id
    the row landed on). Rows intake could not read appear with their line and result only.
    """
    columns = [c for c in uploaded.columns if not c.startswith("_")]
    outcome = results.select(
        pl.col("line").alias("_line"), "result", "action", id_column, "message"
    )
    return (
        uploaded.select("_line", *columns)
        .join(outcome, on="_line", how="full", coalesce=True)
        .sort("_line")
        .rename({"_line": "line"})
        .select(pl.all().cast(pl.String))
    )


def write_csv(frame: pl.DataFrame, path: Path) -> None:
    """CSV with every risky cell neutralized."""
    frame.select(neutralize(pl.col(c)).alias(c) for c in frame.columns).write_csv(path)


def write_xlsx(frame: pl.DataFrame, path: Path, *, title: str, note: str | None = None) -> None:
    """A workbook whose cells are all text (write_string): nothing is ever evaluated."""
    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_formulas": False}
    )
    sheet = workbook.add_worksheet(title[:31])
    bold = workbook.add_format({"bold": True})
    row = 0
    if note:
        sheet.write_string(row, 0, note, bold)
        row += 2
    for col, name in enumerate(frame.columns):
        sheet.write_string(row, col, name, bold)
    for values in frame.iter_rows():
        row += 1
        for col, value in enumerate(values):
            if value is not None:
                sheet.write_string(row, col, value)
    workbook.close()


def write_results(
    uploaded: pl.DataFrame,
    results: pl.DataFrame,
    folder: Path,
    stem: str,
    *,
    id_column: str,
    note: str | None,
) -> tuple[Path, Path]:
    """Write ``<stem>.xlsx`` and ``<stem>.csv`` into ``folder``; return both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    frame = results_frame(uploaded, results, id_column)
    xlsx, csv = folder / f"{stem}.xlsx", folder / f"{stem}.csv"
    write_xlsx(frame, xlsx, title="results", note=note)
    write_csv(frame, csv)
    return xlsx, csv
