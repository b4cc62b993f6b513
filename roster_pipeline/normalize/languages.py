"""Preferred language: a code as given, or a name or tag mapped to one; blank means English.

Names are looked up with ``langcodes`` (its ``language-data`` holds the names of languages in
many languages, diacritics included: ``Kreyòl``, ``Español``, ``Tiếng Việt``, ``中文``), tags
(``es-MX``, ``ENG``) are standardized by it, and a macrolanguage is preferred (``cmn`` -> ``zh``).
"""

from __future__ import annotations

import re

import langcodes

from roster_pipeline.normalize.distinct import Outcome

DEFAULT_LANGUAGE = "en"

ASCII_SPELLINGS = {
    "espanol": "es",
    "francais": "fr",
    "portugues": "pt",
    "tieng viet": "vi",
    "kreyol": "ht",
    "creole": "ht",
    "haitian": "ht",
    "af-soomaali": "so",
    "nepalese": "ne",
    "asl": "ase",
}
"""Spellings without their accents, or short forms, that districts type and langcodes does not
find by name."""


def _primary(tag: str) -> str | None:
    """The primary language subtag of a well-formed, known tag (macrolanguage preferred)."""
    if not langcodes.tag_is_valid(tag):
        return None
    language = langcodes.Language.get(langcodes.standardize_tag(tag, macro=True))
    if language.language is None:
        return None
    try:
        language.language_name()  # only a registered language has a name
    except LookupError:
        return None
    return language.language


def normalize_language(raw: str) -> Outcome:
    """A code as given, or a name or tag mapped to one (LANGUAGE_MAPPED); else LANGUAGE_INVALID."""
    if re.fullmatch(r"[a-z]{2,3}", raw) and _primary(raw) is not None:
        return raw, None, None  # a known code, kept as the district wrote it
    text = " ".join(raw.strip().split())
    lowered = text.lower()
    code = ASCII_SPELLINGS.get(lowered)
    if code is None and re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*", text):
        code = _primary(lowered.replace("_", "-"))
    if code is None:
        try:
            code = _primary(str(langcodes.find(text)))
        except LookupError:
            code = None
    if code is None:
        return None, "LANGUAGE_INVALID", None
    return code, "LANGUAGE_MAPPED", code
