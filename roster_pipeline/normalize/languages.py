"""Preferred language: ISO 639-1 codes; names mapped to codes; blank means English."""

from __future__ import annotations

import re

from roster_pipeline.normalize.distinct import Outcome
from roster_pipeline.normalize.language_codes import CODES, EXTRA_CODES, NAMES

DEFAULT_LANGUAGE = "en"


def normalize_language(raw: str) -> Outcome:
    """A code as given, or a name or tag mapped to one (LANGUAGE_MAPPED); else LANGUAGE_INVALID."""
    if raw in CODES or raw in EXTRA_CODES:
        return raw, None, None
    lowered = raw.strip().lower()
    primary = re.split(r"[-_]", lowered, maxsplit=1)[0]
    if lowered in CODES or lowered in EXTRA_CODES:
        return lowered, "LANGUAGE_MAPPED", lowered
    if primary in CODES and primary != lowered:
        return primary, "LANGUAGE_MAPPED", primary
    code = NAMES.get(lowered)
    if code is not None:
        return code, "LANGUAGE_MAPPED", code
    return None, "LANGUAGE_INVALID", None
