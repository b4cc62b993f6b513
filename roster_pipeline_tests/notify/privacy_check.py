"""What a notice must never contain: a name, e-mail or phone from the roster files."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

PERSONAL = ("givenName", "familyName", "middleName", "preferredFirstName", "email", "sms", "phone")


def personal_values(folder: Path) -> set[str]:
    """The names, e-mails and phones of a batch's users.csv (values of 4+ characters)."""
    users = pl.read_csv(folder / "users.csv", infer_schema=False, truncate_ragged_lines=True)
    values = set()
    for column in PERSONAL:
        if column in users.columns:
            values |= {v.strip() for v in users[column].drop_nulls() if len(v.strip()) >= 4}
    return values


def leaked(text: str, values: set[str]) -> list[str]:
    """The values found in ``text`` as whole words."""
    return sorted(v for v in values if re.search(rf"(?<!\w){re.escape(v)}(?!\w)", text))
