"""Small vocabularies: status, booleans, dates, enumerations with case variants, ids."""

from __future__ import annotations

from collections.abc import Callable

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


def enumeration(
    values: pl.Series, allowed: tuple[str, ...], *, extensible: bool = False
) -> pl.DataFrame:
    """``value`` and ``issue``: exact -> ok; another case -> VALUE_CASE; else VALUE_INVALID.

    ``ext:`` values are allowed (OneRoster's extension rule). With ``extensible`` (a required
    vocabulary OneRoster lets a district extend, such as org and session types) another word is
    kept in OneRoster's form for a local value, ``ext:<word>``, as VALUE_EXTENDED.
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
    unknown = pl.col("raw").is_not_null() & ~ext & pl.col("canonical").is_null()
    extended = unknown & pl.lit(extensible)
    return frame.select(
        value=pl.when(ext)
        .then(pl.col("raw"))
        .when(extended)
        .then(pl.lit("ext:") + pl.col("raw"))
        .otherwise(pl.col("canonical")),
        issue=pl.when(pl.col("raw").is_null() | ext | (pl.col("raw") == pl.col("canonical")))
        .then(pl.lit(None, pl.String))
        .when(pl.col("canonical").is_not_null())
        .then(pl.lit("VALUE_CASE"))
        .when(extended)
        .then(pl.lit("VALUE_EXTENDED"))
        .otherwise(pl.lit("VALUE_INVALID")),
    )


def statuses(values: pl.Series) -> pl.DataFrame:
    """Status: active/tobedeleted; a case variant -> VALUE_CASE.

    OneRoster 1.0's ``inactive`` (and ``deleted``) -> tobedeleted, STATUS_MAPPED; anything else
    -> active, STATUS_INVALID.
    """
    lowered = values.cast(pl.String).str.to_lowercase()
    retired = lowered.is_in(["inactive", "deleted", "to be deleted"])
    return pl.DataFrame({"raw": values, "lowered": lowered}).select(
        value=pl.when(retired)
        .then(pl.lit("tobedeleted"))
        .when(lowered.is_in(STATUSES))
        .then(lowered)
        .when(pl.col("raw").is_not_null())
        .then(pl.lit("active")),
        issue=pl.when(pl.col("raw").is_null() | pl.col("raw").is_in(STATUSES))
        .then(pl.lit(None, pl.String))
        .when(lowered.is_in(STATUSES))
        .then(pl.lit("VALUE_CASE"))
        .when(retired)
        .then(pl.lit("STATUS_MAPPED"))
        .otherwise(pl.lit("STATUS_INVALID")),
    )


def _instants(raw: pl.Expr) -> pl.Expr:
    """ISO 8601 date-times and plain dates -> naive UTC timestamps; anything else -> null.

    ``T`` or a space before the time; ``Z``, ``+hh:mm``, ``-hhmm`` or no offset (read as UTC).
    """
    iso = raw.str.replace(r"Z$", "+00:00").str.replace(" ", "T", literal=True)
    return pl.coalesce(
        iso.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%z", strict=False, time_zone="UTC"),
        iso.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False, time_zone="UTC"),
        iso.str.to_datetime("%Y-%m-%dT%H:%M", strict=False, time_zone="UTC"),
        iso.str.to_date("%Y-%m-%d", strict=False).cast(pl.Datetime("us", "UTC")),
    ).dt.replace_time_zone(None)


def _per_distinct(
    values: pl.Series, outcome: Callable[[pl.Expr], dict[str, pl.Expr]]
) -> pl.DataFrame:
    """``outcome`` (value and issue of ``raw``) computed once per distinct value, joined back.

    A date column holds few distinct values among millions of rows.
    """
    raw = values.cast(pl.String).rename("raw")
    lookup = raw.unique().to_frame().with_columns(**outcome(pl.col("raw")))
    return (
        raw.to_frame()
        .join(lookup, on="raw", how="left", maintain_order="left", nulls_equal=True)
        .select("value", "issue")
    )


def _timestamp_outcome(raw: pl.Expr) -> dict[str, pl.Expr]:
    parsed = _instants(raw)
    issue = pl.when(raw.is_null() | parsed.is_not_null()).then(pl.lit(None, pl.String))
    return {"value": parsed, "issue": issue.otherwise(pl.lit("DATE_INVALID"))}


def timestamps(values: pl.Series) -> pl.DataFrame:
    """``dateLastModified`` -> a UTC timestamp; other forms (``8/27/2018``) -> DATE_INVALID."""
    return _per_distinct(values, _timestamp_outcome)


def _date_outcome(raw: pl.Expr) -> dict[str, pl.Expr]:
    day = raw.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    ok = (
        day.is_not_null()
        & raw.str.contains(r"^\d{4}-\d{2}-\d{2}(?:[T ].*)?$")
        & _instants(raw).is_not_null()
    )
    issue = pl.when(raw.is_null() | ok).then(pl.lit(None, pl.String))
    return {
        "value": pl.when(ok).then(day).otherwise(None),
        "issue": issue.otherwise(pl.lit("DATE_INVALID")),
    }


def dates(values: pl.Series) -> pl.DataFrame:
    """``YYYY-MM-DD`` (or a date-time: its date as written) -> Date; else DATE_INVALID.

    ``8/27/2018`` (ambiguous) and ``2023-02-30`` (impossible) are reported.
    """
    return _per_distinct(values, _date_outcome)


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
