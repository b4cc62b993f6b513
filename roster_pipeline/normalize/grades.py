"""Grades: CEDS entry-grade codes; near misses mapped; lists of grades in one field."""

from __future__ import annotations

import re

from roster_pipeline.normalize.distinct import Outcome

CODES = (
    "IT", "PR", "PK", "TK", "KG",
    "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13",
    "PS", "UG", "Other",
)  # fmt: skip
_WORDS = {
    "k": "KG",
    "kg": "KG",
    "kindergarten": "KG",
    "kinder": "KG",
    "pk": "PK",
    "prek": "PK",
    "prekindergarten": "PK",
    "preschool": "PS",
    "tk": "TK",
    "transitionalkindergarten": "TK",
    "infant": "IT",
    "infanttoddler": "IT",
    "ungraded": "UG",
    "other": "Other",
    "postsecondary": "PS",
}
_BY_UPPER = {c.upper(): c for c in CODES}
SIS_NUMBERS = {"-2": "PK", "-1": "PK", "0": "KG", "00": "KG"}
"""The numbering many SIS exports use below grade 1: -2 pre-K 3, -1 pre-K 4, 0 kindergarten."""
SIS_CONVENTION = "the SIS numbering -2/-1 = pre-K, 0 = kindergarten"


def normalize_grade(raw: str) -> tuple[str | None, bool]:
    """One grade -> (code or None when unknown, whether it had to be mapped)."""
    if raw in CODES:
        return raw, False
    if raw.upper() in _BY_UPPER:
        return _BY_UPPER[raw.upper()], True
    if raw.strip() in SIS_NUMBERS:
        return SIS_NUMBERS[raw.strip()], True
    if re.fullmatch(r"\s*-\s*\d+\s*", raw):
        return None, True  # a negative number is never a grade (-1 is not 01)
    key = re.sub(r"[\s\-_.]+", "", raw.lower())
    key = re.sub(r"^(grade|gr|g)(?=\d)", "", key)
    key = re.sub(r"(st|nd|rd|th)(grade)?$", "", key) if re.match(r"^\d", key) else key
    if key.isdigit() and 1 <= int(key) <= 13:
        return f"{int(key):02d}", True
    if key in _WORDS:
        return _WORDS[key], True
    return None, True


def normalize_grade_list(raw: str) -> Outcome:
    """A comma-separated grade field -> list of codes; GRADE_MAPPED or GRADE_INVALID.

    Grades are optional: an unknown grade is left out of the list (the record is applied).
    """
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    out: list[str] = []
    mapped: list[str] = []
    unknown: list[str] = []
    for part in parts:
        code, was_mapped = normalize_grade(part)
        if code is None:
            unknown.append(part)
        else:
            out.append(code)
            if was_mapped:
                why = f" ({SIS_CONVENTION})" if part.strip() in SIS_NUMBERS else ""
                mapped.append(f"'{part}' -> {code}{why}")
    if unknown:
        return out or None, "GRADE_INVALID", ", ".join(f"'{u}'" for u in unknown)
    if mapped:
        return out, "GRADE_MAPPED", "; ".join(mapped)
    return out, None, None
