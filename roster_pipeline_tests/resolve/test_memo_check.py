"""A file's recognised rows checked against the memo's parts in the run's connection."""

import duckdb
import polars as pl

from roster_pipeline.findings import empty
from roster_pipeline.resolve import memo_check, memo_views
from roster_pipeline.resolve.memo_parts import write_part
from roster_pipeline.schemas.validate_file import ValidatedFile

HASHES = {"h1": pl.UInt64, "h2": pl.UInt64}


def _memo(tmp_path):
    """A part of four rows (a, b, c, d) and a gone part taking d away."""
    rows = tmp_path / "rows-1.parquet"
    write_part(
        rows,
        pl.DataFrame(
            {
                "h1": [1, 2, 3, 4],
                "h2": [10, 20, 30, 40],
                "sourced_id": ["a", "b", "c", "d"],
                "status": [None, "active", None, None],
                "title": ["A", "B", "C", "D"],
            },
            schema_overrides=HASHES,
        ),
    )
    gone = tmp_path / "gone-2.parquet"
    write_part(gone, pl.DataFrame({"h1": [4], "h2": [40]}, schema=HASHES))
    return [rows], [gone]


def _ids(tmp_path, name, ids):
    path = tmp_path / name
    write_part(path, pl.DataFrame({"sourced_id": ids}, schema={"sourced_id": pl.String}))
    return path


def test_the_lines_intake_matched_are_recognised_and_the_rest_named_gone(tmp_path):
    con = duckdb.connect()
    vf = ValidatedFile(
        "classes",
        "classes.csv",
        frame=pl.DataFrame({"_line": [4], "sourced_id": ["b"]}),  # read again: b's id
        findings=empty(),
        rows_read=3,
        usable=True,
        known=pl.DataFrame(
            {"_line": [2, 3], "h1": [1, 2], "h2": [10, 20]}, schema_overrides=HASHES
        ),
        unsent=pl.DataFrame({"h1": [3], "h2": [30]}, schema=HASHES),  # c: no line sends it
    )
    said = [_ids(tmp_path, "live-s.parquet", ["a"]), _ids(tmp_path, "others-s.parquet", ["z"])]
    # a and b recognised, one giving a status, one sharing an id with a row read again
    assert tuple(memo_check.check(con, "classes", vf, _memo(tmp_path), said)) == (2, 1, 1)
    recognised = con.sql(
        f"SELECT r.sourced_id, r._memo_live, r._file, s._line "
        f"FROM {memo_views.recognised('classes')} r "
        f"JOIN {memo_views.sent('classes')} s USING (h1, h2) ORDER BY 1"
    ).fetchall()
    # a is not its live record (the live- file says so); b is
    assert recognised == [("a", False, "classes.csv", 2), ("b", True, "classes.csv", 3)]
    gone = con.sql(f"SELECT sourced_id FROM {memo_views.memo_gone('classes')} ORDER BY 1")
    assert gone.fetchall() == [("c",), ("z",)]  # d left with an earlier batch
    staged = con.sql(memo_views.known_rows_sql("classes", "NOT r._memo_live")).fetchall()
    assert [(line, title) for line, _, _, _, title in staged] == [(2, "A")]


def test_a_part_that_no_longer_holds_what_intake_read_is_seen_in_the_counts(tmp_path):
    con = duckdb.connect()
    vf = ValidatedFile(
        "classes",
        "classes.csv",
        frame=pl.DataFrame(
            {"_line": [], "sourced_id": []}, schema={"_line": pl.Int64, "sourced_id": pl.String}
        ),
        findings=empty(),
        rows_read=3,
        usable=True,
        known=pl.DataFrame(
            {"_line": [2, 3, 4], "h1": [1, 2, 5], "h2": [10, 20, 50]}, schema_overrides=HASHES
        ),
        unsent=pl.DataFrame({"h1": [3], "h2": [30]}, schema=HASHES),
    )
    # three lines matched, the parts on disk have two of them: verify reads the batch in full
    assert memo_check.check(con, "classes", vf, _memo(tmp_path), None)[0] == 2
