"""Pandera schemas for the structural rules of each file: required values and id syntax.

Vocabularies (roles, grades, phones...) are normalized before this in ``normalize``; pandera then
checks what must hold for a row to be applied, and ``failure_cases`` become findings.
"""

from __future__ import annotations

from functools import cache

import pandera.polars as pa
import polars as pl

from roster_pipeline import findings
from roster_pipeline.normalize.values import ID_PATTERN, SCIENTIFIC_PATTERN
from roster_pipeline.specs import FILE_SPECS, FileSpec

ID_COLUMNS = (
    "sourcedId",
    "userSourcedId",
    "classSourcedId",
    "schoolSourcedId",
    "orgSourcedId",
    "studentSourcedId",
    "guardianSourcedId",
)

# Check name -> (finding suffix, message template; {column} and {value} are filled in).
CHECKS: dict[str, tuple[str, str]] = {
    "not_nullable": (
        "REQUIRED_MISSING",
        "{column} is required but blank; the row was not applied.",
    ),
    "id_scientific": (
        "ID_SCIENTIFIC_NOTATION",
        "{column} '{value}' looks like a number a spreadsheet rewrote in scientific notation; "
        "format the column as text and export again.",
    ),
    "id_charset": (
        "ID_INVALID",
        "{column} '{value}' has characters an id may not contain (letters, digits and . - _ / @ "
        "only, at most 255).",
    ),
}


def _id_checks() -> list[pa.Check]:
    return [
        pa.Check(
            lambda data: data.lazyframe.select(
                ~pl.col(data.key).str.contains(SCIENTIFIC_PATTERN).fill_null(False)
            ),
            name="id_scientific",
        ),
        pa.Check(
            lambda data: data.lazyframe.select(
                (
                    pl.col(data.key).str.contains(ID_PATTERN)
                    & (pl.col(data.key).str.len_chars() < 256)
                )
                | pl.col(data.key).str.contains(SCIENTIFIC_PATTERN)
                | pl.col(data.key).is_null()
            ),
            name="id_charset",
        ),
    ]


# pandera registers its polars backends on first use; once here, before files are validated in
# parallel threads (its registration is cached, not locked).
pa.DataFrameSchema.register_default_backends(pl.DataFrame)


@cache
def schema_for(kind: str) -> pa.DataFrameSchema:
    """The pandera schema of one file kind (built once from its spec)."""
    spec: FileSpec = FILE_SPECS[kind]
    columns = {}
    for column in spec.columns:
        checks = _id_checks() if column in ID_COLUMNS else []
        nullable = column not in spec.row_required
        if nullable and not checks:
            continue
        columns[column] = pa.Column(pl.String, checks=checks, nullable=nullable, required=False)
    return pa.DataFrameSchema(columns, strict=False, name=kind)


def structure_findings(
    frame: pl.DataFrame, kind: str, file: str, headers: dict[str, str] | None = None
) -> pl.DataFrame:
    """Validate a collected frame with pandera (lazy: every failure) and return findings.

    ``headers`` (canonical column -> the file's own header) names the columns in messages.
    """
    spec = FILE_SPECS[kind]
    try:
        schema_for(kind).validate(frame, lazy=True)
        return findings.empty()
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    cases = cases.filter(pl.col("index").is_not_null() & pl.col("check").is_in(list(CHECKS)))
    if cases.is_empty():
        return findings.empty()
    located = cases.join(
        frame.select(pl.int_range(pl.len(), dtype=pl.Int32).alias("index"), "_line", "sourcedId"),
        on="index",
        how="left",
    )
    suffix = pl.col("check").replace_strict({k: v[0] for k, v in CHECKS.items()})
    template = pl.col("check").replace_strict({k: v[1] for k, v in CHECKS.items()})
    label = pl.col("column").replace(headers or {})
    message = template.str.replace("{column}", label, literal=True).str.replace(
        "{value}", pl.col("failure_case").cast(pl.String).fill_null(""), literal=True
    )
    return located.select(
        pl.lit(file).alias("file"),
        pl.col("_line").cast(pl.Int64).alias("line"),
        pl.col("column").alias("column_name"),
        pl.col("sourcedId").alias("sourced_id"),
        (pl.lit(spec.prefix + "_") + suffix).alias("code"),
        pl.lit(findings.ERROR).alias("severity"),
        message.alias("message"),
        pl.col("failure_case").cast(pl.String).alias("value"),
    )
