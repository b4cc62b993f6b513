"""The row memo's parts: which rows a gone part takes away."""

import polars as pl
import pytest

from roster_pipeline.resolve.memo_parts import without


@pytest.mark.parametrize(
    "these",
    [
        [(1, 10), (3, 30)],  # each h1 once: the one-key join
        [(1, 10), (1, 11), (3, 31)],  # an h1 twice (a 64-bit collision): the two-key join
        [(2, 99)],  # an h1 known under another h2 stays
        [],
    ],
)
def test_without_takes_away_exactly_the_pairs_given(these):
    rows = pl.DataFrame(
        {"h1": [1, 1, 2, 3, 4], "h2": [10, 11, 20, 30, 40]},
        schema={"h1": pl.UInt64, "h2": pl.UInt64},
    )
    drop = pl.DataFrame(these, schema={"h1": pl.UInt64, "h2": pl.UInt64}, orient="row")
    expected = rows.join(drop, on=["h1", "h2"], how="anti").sort("h1", "h2")
    assert without(rows, drop).collect().sort("h1", "h2").equals(expected)
    assert without(rows, drop).collect().height == rows.height - len(set(these) & set(rows.rows()))
