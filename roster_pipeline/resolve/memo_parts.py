"""The row memo's parquet parts: what a part holds, how it is written, which rows it takes away.

A kind's memo is ``rows-N`` parts (rows a batch added: ``h1``, ``h2`` and the validated columns)
and ``gone-N`` parts (hashes of rows that batch no longer had), each written whole and renamed
into place (``write_part``); ``row_memo.RowMemo`` decides which parts to write.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from roster_pipeline.schemas.validate_file import ValidatedFile

COMPACT_ABOVE = 1.25
"""A kind's parts are written again as one when they hold this many times the rows it knows."""
MAX_PARTS = 24
"""... or when there are more parts than this."""


def no_hashes() -> pl.DataFrame:
    """No rows: ``h1``, ``h2``."""
    return pl.DataFrame(schema={"h1": pl.UInt64, "h2": pl.UInt64})


def without(rows: pl.DataFrame | pl.LazyFrame, these: pl.DataFrame) -> pl.LazyFrame:
    """``rows`` less those whose (``h1``, ``h2``) is a row of ``these``, lazily.

    Where ``these`` has each ``h1`` once (recognised rows always do: a line repeated is never
    recognised) this is a left join on ``h1`` alone, a third of the time of polars' two-key anti
    join; otherwise that join.
    """
    if these.get_column("h1").n_unique() != these.height:
        return rows.lazy().join(these.lazy(), on=["h1", "h2"], how="anti")
    other = these.lazy().select("h1", pl.col("h2").alias("_h2"))
    matched = pl.col("_h2").is_not_null() & (pl.col("_h2") == pl.col("h2"))
    return rows.lazy().join(other, on="h1", how="left").filter(~matched).drop("_h2")


def part_number(part: Path) -> int:
    """``N`` of a ``rows-N`` or ``gone-N`` part."""
    return int(part.name.split("-")[1].split(".")[0])


def compact_due(parts: list[Path], after: int) -> bool:
    """Whether the parts are to be written again as one (too many, or mostly gone rows)."""
    if len(parts) >= MAX_PARTS:
        return True
    held = sum(pl.scan_parquet(p).select(pl.len()).collect().item() for p in parts)
    return held > COMPACT_ABOVE * after


def kept_rows(vf: ValidatedFile) -> pl.Expr:
    """The rows of ``vf.frame`` the memo keeps: validated without a finding."""
    noted = vf.findings.filter(pl.col("file") == vf.file).get_column("line").drop_nulls()
    return pl.col("_ok") & ~pl.col("_line").is_in(noted.implode())


def clean_rows(vf: ValidatedFile, kept: pl.Expr) -> pl.LazyFrame:
    """The ``kept`` rows of ``vf`` as the memo stores them: ``h1``, ``h2`` and the columns."""
    frame, hashes = vf.frame.lazy(), vf.hashes
    assert hashes is not None
    if vf.frame.height == hashes.height and vf.frame["_line"].equals(hashes["_line"]):
        frame = frame.with_columns(hashes["h1"], hashes["h2"])  # row for row: no join
    else:
        frame = frame.join(hashes.lazy(), on="_line")
    # lazy: streamed into its part, not copied whole (a first load's every row)
    return frame.filter(kept).select("h1", "h2", pl.exclude("_line", "_file", "_ok", "h1", "h2"))


PART_WRITE = {"compression": "zstd", "compression_level": 1, "statistics": False}
"""zstd's fastest level: a tenth less time to write a first load's rows, 3% larger parts."""


def write_part(path: Path, frame: pl.DataFrame | pl.LazyFrame) -> None:
    """Write a part whole (a lazy frame streamed), then rename it into place."""
    partial = path.with_suffix(".partial")
    if isinstance(frame, pl.LazyFrame):
        frame.sink_parquet(partial, **PART_WRITE)
    else:
        frame.write_parquet(partial, **PART_WRITE)
    os.replace(partial, path)
