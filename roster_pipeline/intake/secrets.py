"""Columns whose name says they hold a credential: dropped before anything reads their values.

A password, PIN, token, secret or API key column is never stored (live tables, history,
extensions, findings, the frame store, workbooks, logs): intake removes the column as soon as the
header is read, and one info finding per file names it (never a value).
"""

from __future__ import annotations

import itertools
import re

SUBSTRINGS = ("password", "passwd", "passcode", "passphrase", "secret", "apikey", "credential")
"""Credential words found anywhere in a header (``ext_vendor_studentpassword``)."""
TOKENS = ("pwd", "pin", "token", "pincode", "otp")
"""Credential words that count only as a whole word or a word's end (``studentPIN``, not
``shipping``)."""


def _words(header: str) -> list[str]:
    """``ext_Vendor.studentPIN`` -> ``['ext', 'vendor', 'student', 'pin']``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", header)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def is_secret_column(header: str) -> bool:
    """Whether a header cell names a credential column."""
    flat = re.sub(r"[^a-z0-9]", "", header.lower())
    if any(word in flat for word in SUBSTRINGS):
        return True
    words = _words(header)
    if any(a == "api" and b == "key" for a, b in itertools.pairwise(words)):
        return True
    return any(w in TOKENS or (len(w) > 4 and w.endswith(("pwd", "pin", "token"))) for w in words)
