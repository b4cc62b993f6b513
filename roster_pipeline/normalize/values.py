"""Small vocabularies: status, booleans, dates, enumerations with case variants, ids."""

from __future__ import annotations

import polars as pl

STATUSES = ("active", "tobedeleted")
ORG_TYPES = ("department", "school", "district", "local", "state", "national")
SESSION_TYPES = ("gradingPeriod", "semester", "schoolYear", "term")
CLASS_TYPES = ("homeroom", "scheduled")
ROLE_TYPES = ("primary", "secondary")
BOOLEANS = ("true", "false")
SEXES = ("male", "female", "unspecified", "other")

# OneRoster GUID charset; spreadsheets turn long numeric ids into 4.17E+02.
ID_PATTERN = r"^[0-9A-Za-z.\-_/@:]+$"
SCIENTIFIC_PATTERN = r"^[0-9](?:\.[0-9]+)?[eE]\+?[0-9]+$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
DATETIME_PATTERN = (
    r"^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)


def enumeration(values: pl.Series, allowed: tuple[str, ...]) -> pl.DataFrame:
    """``value`` and ``issue``: exact -> ok; another case -> VALUE_CASE; else VALUE_INVALID.

    ``ext:`` values are allowed (OneRoster's extension rule).
    """
    lookup = pl.DataFrame(
        {"key": [a.lower() for a in allowed], "canonical": list(allowed)},
        schema={"key": pl.String, "canonical": pl.String},
    )
    frame = (
        pl.DataFrame({"raw": values.cast(pl.String)})
        .with_columns(key=pl.col("raw").str.to_lowercase())
        .join(lookup, on="key", how="left", maintain_order="left")
    )
    ext = pl.col("raw").str.starts_with("ext:")
    return frame.select(
        value=pl.when(ext).then(pl.col("raw")).otherwise(pl.col("canonical")),
        issue=pl.when(pl.col("raw").is_null() | ext | (pl.col("raw") == pl.col("canonical")))
        .then(pl.lit(None, pl.String))
        .when(pl.col("canonical").is_not_null())
        .then(pl.lit("VALUE_CASE"))
        .otherwise(pl.lit("VALUE_INVALID")),
    )


def statuses(values: pl.Series) -> pl.DataFrame:
    """Status: ``inactive`` (OneRoster 1.0) and case variants map to active/tobedeleted."""
    lowered = values.cast(pl.String).str.to_lowercase()
    value = (
        pl.when(lowered.is_in(["inactive", "deleted", "to be deleted"]))
        .then(pl.lit("tobedeleted"))
        .when(lowered.is_in(STATUSES))
        .then(lowered)
        .otherwise(None)
    )
    return pl.DataFrame({"raw": values, "lowered": lowered}).select(
        value=value,
        issue=pl.when(pl.col("raw").is_null() | pl.col("raw").is_in(STATUSES))
        .then(pl.lit(None, pl.String))
        .otherwise(pl.lit("STATUS_INVALID")),
    )


def dates(values: pl.Series) -> pl.DataFrame:
    """``YYYY-MM-DD`` -> Date; anything else (``8/27/2018``, ``2023-02-30``) -> DATE_INVALID."""
    parsed = values.str.to_date("%Y-%m-%d", strict=False)
    ok = parsed.is_not_null() & values.str.contains(DATE_PATTERN)
    return pl.DataFrame({"raw": values, "parsed": parsed, "ok": ok}).select(
        value=pl.when(pl.col("ok")).then(pl.col("parsed")).otherwise(None),
        issue=pl.when(pl.col("raw").is_null() | pl.col("ok"))
        .then(pl.lit(None, pl.String))
        .otherwise(pl.lit("DATE_INVALID")),
    )


def patterned(values: pl.Series, pattern: str) -> pl.DataFrame:
    """Strings that must match ``pattern`` (timestamps, years); others -> DATE_INVALID."""
    ok = values.str.contains(pattern)
    return pl.DataFrame({"raw": values}).select(
        value=pl.when(ok).then(pl.col("raw")).otherwise(None),
        issue=pl.when(pl.col("raw").is_null() | ok)
        .then(pl.lit(None, pl.String))
        .otherwise(pl.lit("DATE_INVALID")),
    )


def booleans(values: pl.Series) -> pl.DataFrame:
    """``true``/``false`` (any case) -> Boolean; case variants -> VALUE_CASE."""
    out = enumeration(values, BOOLEANS)
    return out.with_columns(pl.col("value") == "true", hint=pl.lit("true, false"))


def split_list(values: pl.Series) -> pl.Series:
    """``"a, b,c"`` -> ``["a", "b", "c"]`` (elements trimmed, blanks dropped)."""
    return values.str.split(",").list.eval(
        pl.element().str.strip_chars().filter(pl.element() != "")
    )
