"""Phone numbers: ``sms`` (mobile, used for login and texts) and ``phone`` (home, records only).

Every distinct value is parsed once to E.164. Well-formed US numbers (``(415) 867-5309``,
``+1 415.867.5309``, ``14158675309``) take a vectorized fast path that applies phonenumbers' own US
metadata patterns, in phonenumbers' own order, with polars regexes; everything else (other
countries, extensions, odd shapes, numbers the US patterns reject) goes through phonenumbers
itself, so results are identical to calling phonenumbers on every value.
"""

from __future__ import annotations

from functools import cache, lru_cache

import phonenumbers
import polars as pl
from phonenumbers import PhoneMetadata, PhoneNumberType
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

DEFAULT_REGION = "US"

# Optional +1 or 1, then a 10-digit NANP number with the usual separators.
_US_SHAPE = r"^(?:\+\s*1|1)?[\s.\-]*\(?([2-9]\d{2})\)?[\s.\-]*(\d{3})[\s.\-]*(\d{4})$"
_SPECIAL_TYPES = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)


@lru_cache(maxsize=2_000_000)
def parse_phone(raw: str, region: str = DEFAULT_REGION) -> tuple[str | None, bool]:
    """(E.164 or None when invalid, whether the number is a landline that cannot get texts)."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None, False
    kind = phonenumbers.number_type(number)  # UNKNOWN exactly when is_valid_number is False
    if kind == PhoneNumberType.UNKNOWN:
        return None, False
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, kind == PhoneNumberType.FIXED_LINE


def _matches(national: pl.Expr, desc: object) -> pl.Expr:
    """The _is_number_matching_desc rule of phonenumbers for 10-digit numbers, in polars."""
    if desc is None or desc.national_number_pattern is None:  # type: ignore[attr-defined]
        return pl.lit(False)
    lengths = desc.possible_length  # type: ignore[attr-defined]
    if lengths and 10 not in lengths:
        return pl.lit(False)
    return national.str.contains(f"^(?:{desc.national_number_pattern})$")  # type: ignore[attr-defined]


@cache
def _us_rules() -> tuple[pl.Expr, pl.Expr] | None:
    """(is valid, is landline-only) for a 10-digit ``national`` column, from the US metadata.

    None when the metadata no longer has the shape this shortcut relies on (US first among
    the +1 regions, no leading-digits rule), in which case every value uses phonenumbers.
    """
    metadata = PhoneMetadata.metadata_for_region("US")
    if COUNTRY_CODE_TO_REGION_CODE[1][0] != "US" or metadata.leading_digits is not None:
        return None
    national = pl.col("national")
    general = _matches(national, metadata.general_desc)
    special = pl.any_horizontal(_matches(national, getattr(metadata, t)) for t in _SPECIAL_TYPES)
    fixed = _matches(national, metadata.fixed_line)
    same = bool(metadata.same_mobile_and_fixed_line_pattern)
    mobile = pl.lit(False) if same else _matches(national, metadata.mobile)
    valid = general & (special | fixed | mobile)
    landline_only = general & ~special & fixed & ~pl.lit(same) & ~mobile
    return valid, landline_only


def _fast_us(values: pl.Series) -> pl.DataFrame:
    """``raw``, ``e164``, ``landline`` per distinct value; null where US rules do not settle."""
    frame = pl.DataFrame({"raw": values}, schema={"raw": pl.String})
    rules = _us_rules()
    if rules is None:
        return frame.with_columns(e164=pl.lit(None, pl.String), landline=pl.lit(None, pl.Boolean))
    valid, landline = rules
    parts = pl.col("raw").str.extract_groups(_US_SHAPE)
    national = pl.concat_str(
        parts.struct.field("1"), parts.struct.field("2"), parts.struct.field("3")
    )
    return (
        frame.with_columns(national=national)
        .with_columns(ok=valid.fill_null(False), landline=landline)
        .select(
            "raw",
            e164=pl.when(pl.col("ok")).then(pl.lit("+1") + pl.col("national")),
            landline=pl.when(pl.col("ok")).then(pl.col("landline")),
        )
    )


def parse_distinct(values: pl.Series, region: str = DEFAULT_REGION) -> pl.DataFrame:
    """``raw``, ``e164`` (null when invalid), ``landline`` for each distinct non-null value."""
    distinct = values.drop_nulls().unique()
    if region == "US":
        table = _fast_us(distinct)
    else:
        table = pl.DataFrame(
            {"raw": distinct, "e164": None, "landline": None},
            schema={"raw": pl.String, "e164": pl.String, "landline": pl.Boolean},
        )
    slow = table.filter(pl.col("e164").is_null())["raw"].to_list()
    parsed = [parse_phone(raw, region) for raw in slow]
    slow_table = pl.DataFrame(
        {"raw": slow, "slow_e164": [p[0] for p in parsed], "slow_landline": [p[1] for p in parsed]},
        schema={"raw": pl.String, "slow_e164": pl.String, "slow_landline": pl.Boolean},
    )
    return table.join(slow_table, on="raw", how="left").select(
        "raw",
        e164=pl.coalesce("e164", "slow_e164"),
        landline=pl.coalesce("landline", "slow_landline"),
    )


def normalize_phones(
    values: pl.Series, *, mobile: bool, region: str = DEFAULT_REGION
) -> pl.DataFrame:
    """E.164 ``value`` and ``issue`` (PHONE_INVALID / SMS_INVALID / SMS_NOT_MOBILE) per row."""
    invalid = "SMS_INVALID" if mobile else "PHONE_INVALID"
    table = parse_distinct(values, region).with_columns(
        issue=pl.when(pl.col("e164").is_null())
        .then(pl.lit(invalid))
        .when(pl.lit(mobile) & pl.col("landline"))
        .then(pl.lit("SMS_NOT_MOBILE"))
        .otherwise(pl.lit(None, pl.String))
    )
    return (
        pl.DataFrame({"raw": values.cast(pl.String)})
        .join(table, on="raw", how="left", maintain_order="left")
        .select(value=pl.col("e164"), issue=pl.col("issue"))
    )
