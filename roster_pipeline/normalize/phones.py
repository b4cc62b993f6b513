"""Phone numbers: ``sms`` (mobile, used for login and texts) and ``phone`` (home, records only).

Parsed with phonenumbers to E.164, once per distinct value, cached across columns and files.
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
import polars as pl
from phonenumbers import PhoneNumberType

from roster_pipeline.normalize.distinct import map_distinct

DEFAULT_REGION = "US"


@lru_cache(maxsize=2_000_000)
def parse_phone(raw: str, region: str = DEFAULT_REGION) -> tuple[str | None, bool]:
    """(E.164 or None when invalid, whether the number is a fixed line that cannot get texts)."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None, False
    if not phonenumbers.is_valid_number(number):
        return None, False
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, phonenumbers.number_type(number) == PhoneNumberType.FIXED_LINE


def normalize_phones(
    values: pl.Series, *, mobile: bool, region: str = DEFAULT_REGION
) -> pl.DataFrame:
    """E.164 ``value`` and ``issue`` (PHONE_INVALID / SMS_INVALID / SMS_NOT_MOBILE) per row."""
    invalid = "SMS_INVALID" if mobile else "PHONE_INVALID"

    def one(raw: str) -> tuple[str | None, str | None, str | None]:
        e164, fixed_line = parse_phone(raw, region)
        if e164 is None:
            return None, invalid, None
        if mobile and fixed_line:
            return e164, "SMS_NOT_MOBILE", None
        return e164, None, None

    return map_distinct(values, one, pl.String())
