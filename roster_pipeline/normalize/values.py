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


def _parsed(
    values: pl.Series,
    fast: Callable[[pl.Expr], pl.Expr],
    outcome: Callable[[pl.Expr], dict[str, pl.Expr]],
) -> pl.DataFrame:
    """``value`` and ``issue``: the usual form vectorized, any other once per distinct value.

    ``fast`` parses the usual form (null where it does not apply); ``outcome`` gives value and
    issue of every other value. A blank column costs nothing.
    """
    raw = values.cast(pl.String).rename("raw")
    nulls = pl.repeat(None, raw.len(), dtype=pl.String)
    if raw.null_count() == raw.len():
        kind = pl.DataFrame(schema={"raw": pl.String}).select(fast(pl.col("raw"))).dtypes[0]
        return pl.select(value=pl.repeat(None, raw.len(), dtype=kind), issue=nulls)
    quick = raw.to_frame().select(fast(pl.col("raw"))).to_series().rename("value")
    rest = raw.filter(quick.is_null() & raw.is_not_null()).unique()
    if rest.is_empty():  # the usual case: every value in the usual form, or blank
        return quick.to_frame().with_columns(issue=nulls)
    lookup = rest.to_frame().with_columns(**outcome(pl.col("raw")))
    slow = raw.replace_strict(
        lookup["raw"], lookup["value"], default=None, return_dtype=quick.dtype
    )
    issue = raw.replace_strict(lookup["raw"], lookup["issue"], default=None, return_dtype=pl.String)
    return pl.DataFrame({"value": quick.fill_null(slow), "issue": issue})


def _timestamp_outcome(raw: pl.Expr) -> dict[str, pl.Expr]:
    parsed = _instants(raw)
    issue = pl.when(raw.is_null() | parsed.is_not_null()).then(pl.lit(None, pl.String))
    return {"value": parsed, "issue": issue.otherwise(pl.lit("DATE_INVALID"))}


def timestamps(values: pl.Series) -> pl.DataFrame:
    """``dateLastModified`` -> a UTC timestamp; other forms (``8/27/2018``) -> DATE_INVALID."""
    return _parsed(
        values,
        lambda raw: raw.str.to_datetime("%Y-%m-%dT%H:%M:%S%.fZ", strict=False, time_unit="us"),
        _timestamp_outcome,
    )


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
    return _parsed(
        values,
        lambda raw: pl.when(raw.str.len_bytes() == 10).then(
            raw.str.to_date("%Y-%m-%d", strict=False)
        ),
        _date_outcome,
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
