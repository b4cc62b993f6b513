"""Masking of personal data for logs, run metadata and finding messages.

Rosters hold children's data: anything shown outside the DuckDB tables themselves is masked.
"""

from __future__ import annotations

import re

import polars as pl


def mask_email(value: str | None) -> str | None:
    """``jane.doe@example.org`` -> ``j***@example.org``."""
    if value is None:
        return None
    local, at, domain = value.partition("@")
    if not at:
        return (value[:1] + "***") if value else value
    return f"{local[:1]}***@{domain}"


def mask_phone(value: str | None) -> str | None:
    """``+15551234567`` -> ``***-***-4567`` (the last four digits only)."""
    if value is None:
        return None
    digits = "".join(ch for ch in value if ch.isdigit())
    return f"***-***-{digits[-4:]}" if len(digits) >= 4 else "***"


def mask_name(value: str | None) -> str | None:
    """``Jane`` -> ``J***``."""
    if value is None:
        return None
    return (value[:1] + "***") if value else value


def mask_email_expr(col: pl.Expr) -> pl.Expr:
    """Vectorized :func:`mask_email`."""
    return (
        pl.when(col.str.contains("@", literal=True))
        .then(pl.concat_str(col.str.slice(0, 1), pl.lit("***@"), col.str.split("@").list.last()))
        .otherwise(pl.concat_str(col.str.slice(0, 1), pl.lit("***")))
    )


def mask_phone_expr(col: pl.Expr) -> pl.Expr:
    """Vectorized :func:`mask_phone`."""
    digits = col.str.replace_all(r"\D", "")
    return (
        pl.when(digits.str.len_chars() >= 4)
        .then(pl.concat_str(pl.lit("***-***-"), digits.str.slice(-4)))
        .otherwise(pl.lit("***"))
    )


def mask_name_expr(col: pl.Expr) -> pl.Expr:
    """Vectorized :func:`mask_name`."""
    return pl.concat_str(col.str.slice(0, 1), pl.lit("***"))


EMAIL_IN_TEXT = r"[^\s'\"(),;<>]+@([^\s'\"(),;<>]+)"


def mask_text_expr(col: pl.Expr) -> pl.Expr:
    """Free text (a message) with any e-mail address in it masked to ``***@domain``."""
    return col.str.replace_all(EMAIL_IN_TEXT, "***@$1")


def mask_text(text: str) -> str:
    """:func:`mask_text_expr` for one text."""
    return re.sub(EMAIL_IN_TEXT, r"***@\1", text)


PII_COLUMNS: dict[str, str] = {
    "given_name": "name",
    "family_name": "name",
    "middle_name": "name",
    "preferred_given_name": "name",
    "preferred_middle_name": "name",
    "preferred_family_name": "name",
    "username": "name",
    "email": "email",
    "sms": "phone",
    "phone": "phone",
    "birth_date": "name",
}


def masked_preview(frame: pl.DataFrame, rows: int = 5) -> pl.DataFrame:
    """The first ``rows`` rows with every personal column masked, for run metadata."""
    head = frame.head(rows)
    exprs = []
    for name in head.columns:
        kind = PII_COLUMNS.get(name)
        col = pl.col(name).cast(pl.String)
        if kind == "email":
            exprs.append(mask_email_expr(col).alias(name))
        elif kind == "phone":
            exprs.append(mask_phone_expr(col).alias(name))
        elif kind == "name":
            exprs.append(mask_name_expr(col).alias(name))
        else:
            exprs.append(pl.col(name))
    return head.select(exprs)
