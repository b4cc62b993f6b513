"""Values of a column, distinct: a Python function applied once per value, and the repeats."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

Outcome = tuple[Any, str | None, str | None]
"""(normalized value, issue suffix or None, hint for the message or None)."""


def map_distinct(
    values: pl.Series, fn: Callable[[str], Outcome], value_dtype: pl.DataType
) -> pl.DataFrame:
    """Frame of ``value``, ``issue``, ``hint`` aligned with ``values``; nulls stay null."""
    uniques = values.drop_nulls().unique()
    outcomes = [fn(v) for v in uniques.to_list()]
    lookup = pl.DataFrame(
        {
            "raw": uniques,
            "value": pl.Series([o[0] for o in outcomes], dtype=value_dtype),
            "issue": pl.Series([o[1] for o in outcomes], dtype=pl.String),
            "hint": pl.Series([o[2] for o in outcomes], dtype=pl.String),
        },
        schema={"raw": pl.String, "value": value_dtype, "issue": pl.String, "hint": pl.String},
    )
    return (
        pl.DataFrame({"raw": values.cast(pl.String)})
        .join(lookup, on="raw", how="left", maintain_order="left", nulls_equal=False)
        .drop("raw")
    )


def repeated(values: pl.Series) -> pl.Series:
    """The values that occur more than once (each at least once), as equal neighbours.

    For integer hashes the sort is a parallel radix sort, ~5x faster than a hash table of them.
    """
    ordered = values.sort()
    return ordered.filter(ordered == ordered.shift(1))
