"""A file's row ids and scope: ids made from natural keys, ids that repeat, schools out of scope.

Duplicate ids are the check that reads across rows: the row memo's ``verify`` keeps it whole.
"""

from __future__ import annotations

import polars as pl

from roster_pipeline import findings
from roster_pipeline.normalize import values as v
from roster_pipeline.normalize.distinct import repeated
from roster_pipeline.specs import FILE_SPECS

OUT_OF_SCOPE = (
    "{column} '{raw}' is not the school this upload is for ({hint}); the row was not applied."
)
"""{column}, {raw} (the file's value) and {hint} (the scope school)."""


def synthesize_ids(frame: pl.DataFrame, kind: str) -> pl.DataFrame:
    """Rows without a sourcedId get one from their natural key (enrollments, roles, uploads)."""
    keys = {
        "enrollments": ("classSourcedId", "userSourcedId", "role"),
        "roles": ("userSourcedId", "orgSourcedId", "role"),
    }.get(kind) or FILE_SPECS[kind].id_from
    if not keys or frame["sourcedId"].null_count() == 0:
        return frame
    natural = pl.concat_str([pl.col(k) for k in keys], separator="|")
    return frame.with_columns(pl.col("sourcedId").fill_null(natural))


def duplicate_ids(frame: pl.DataFrame, prefix: str, file: str) -> pl.DataFrame:
    """Every copy of a sourcedId that occurs more than once: an error naming all its lines."""
    # The usual case has no repeat: the ids' 64-bit hashes that repeat are the few candidates
    # (repeats and hash collisions), and only those are compared as strings.
    ids = pl.col("sourcedId")
    repeated_hashes = repeated(frame.get_column("sourcedId").drop_nulls().hash())
    if repeated_hashes.is_empty():
        return findings.empty()
    candidates = frame.filter(ids.is_not_null() & ids.hash().is_in(repeated_hashes.implode()))
    copies = candidates.filter(ids.is_duplicated())
    if copies.is_empty():
        return findings.empty()
    dupes = (
        copies.group_by("sourcedId")
        .agg(pl.col("_line").sort().alias("lines"), pl.len().alias("n"))
        .filter(pl.col("n") > 1)
    )
    if dupes.is_empty():
        return findings.empty()
    rows = frame.join(dupes, on="sourcedId", how="inner")
    return findings.row_findings(
        rows,
        pl.lit(True),
        file=file,
        column_name="sourcedId",
        code=f"{prefix}_ID_DUPLICATE",
        message=pl.format(
            "sourcedId '{}' appears on lines {}; no copy was applied. Keep one row per id.",
            pl.col("sourcedId"),
            pl.col("lines").cast(pl.List(pl.String)).list.join(", "),
        ),
    )


def out_of_scope(frame: pl.DataFrame, kind: str, scope: str, file: str) -> pl.DataFrame:
    """Rows that name a school other than the upload's school scope."""
    prefix = FILE_SPECS[kind].prefix
    parts = []
    if "schoolSourcedId" in frame.columns and kind in ("classes", "enrollments"):
        bad = pl.col("schoolSourcedId").is_not_null() & (pl.col("schoolSourcedId") != scope)
        parts.append(("schoolSourcedId", bad, pl.col("schoolSourcedId")))
    if kind == "users":
        orgs = v.split_list(frame["orgSourcedIds"])
        frame = frame.with_columns(_orgs=orgs)
        bad = pl.col("_orgs").is_not_null() & ~pl.col("_orgs").list.contains(pl.lit(scope))
        parts.append(("orgSourcedIds", bad, pl.col("orgSourcedIds")))
    message = OUT_OF_SCOPE.replace("{hint}", scope)
    return findings.concat(
        [
            findings.row_findings(
                frame,
                mask,
                file=file,
                column_name=column,
                code=f"{prefix}_OUT_OF_SCOPE",
                message=pl.lit(message.replace("{column}", column)).str.replace(
                    "{raw}", raw.fill_null(""), literal=True
                ),
            )
            for column, mask, raw in parts
        ]
    )
