"""E-mail addresses: trimmed, domain lower-cased, syntax-checked (vectorized)."""

from __future__ import annotations

import polars as pl

_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_DOMAIN = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
EMAIL_PATTERN = rf"^{_LOCAL}@{_DOMAIN}$"


def normalize_emails(values: pl.Series) -> pl.DataFrame:
    """``value`` (normalized, null when invalid) and ``issue`` (EMAIL_INVALID) per row."""
    raw = pl.col("raw").str.strip_chars()
    # The pattern allows either case and a valid address has one "@", so checking the raw value
    # equals checking its normalized form; only valid ones are split and lower-cased.
    valid = raw.str.contains(EMAIL_PATTERN) & (raw.str.len_bytes() <= 254)
    parts = raw.str.split_exact("@", 1)
    candidate = pl.concat_str(
        parts.struct.field("field_0"), pl.lit("@"), parts.struct.field("field_1").str.to_lowercase()
    )
    return pl.DataFrame({"raw": values}).select(
        value=pl.when(valid).then(candidate).otherwise(None),
        issue=pl.when(raw.is_null() | valid.fill_null(False))
        .then(pl.lit(None, pl.String))
        .otherwise(pl.lit("EMAIL_INVALID")),
    )
