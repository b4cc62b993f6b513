"""Roles: OneRoster values, common synonyms and case variants -> canonical role."""

from __future__ import annotations

from roster_pipeline.normalize.distinct import Outcome

USER_ROLES = (
    "administrator",
    "aide",
    "guardian",
    "parent",
    "proctor",
    "relative",
    "student",
    "teacher",
    "counselor",
    "districtAdministrator",
    "principal",
    "siteAdministrator",
    "systemAdministrator",
)
ENROLLMENT_ROLES = ("administrator", "proctor", "student", "teacher")
GUARDIAN_ROLES = ("parent", "guardian", "relative", "aide")

STAFF = "ext:staff"
"""Staff whom the SIS names with no OneRoster role (``staff``, ``faculty``): kept apart from
teachers, so they receive only the permissions the district grants to this role."""

SYNONYMS = {
    "parent/guardian": "guardian",
    "parent or guardian": "guardian",
    "parentguardian": "guardian",
    "legal guardian": "guardian",
    "foster parent": "guardian",
    "mother": "parent",
    "father": "parent",
    "mom": "parent",
    "dad": "parent",
    "stepmother": "parent",
    "stepfather": "parent",
    "step parent": "parent",
    "stepparent": "parent",
    "grandmother": "relative",
    "grandfather": "relative",
    "grandparent": "relative",
    "aunt": "relative",
    "uncle": "relative",
    "sibling": "relative",
    "brother": "relative",
    "sister": "relative",
    "contact": "guardian",
    "pupil": "student",
    "learner": "student",
    "instructor": "teacher",
    "substitute teacher": "teacher",
    "staff": STAFF,
    "faculty": STAFF,
    "support staff": STAFF,
    "office staff": STAFF,
    "employee": STAFF,
    "admin": "administrator",
    "school leader": "administrator",
    "assistant principal": "principal",
    "vice principal": "principal",
    "guidance counselor": "counselor",
    "school counselor": "counselor",
    "schooladmin": "siteAdministrator",
    "school admin": "siteAdministrator",
    "site admin": "siteAdministrator",
    "district admin": "districtAdministrator",
    "system admin": "systemAdministrator",
    "sysadmin": "systemAdministrator",
    "paraprofessional": "aide",
    "teacher aide": "aide",
    "teaching assistant": "aide",
}
"""SIS words -> the nearest OneRoster role (never ``teacher`` for one who does not teach)."""
_BY_LOWER = {r.lower(): r for r in USER_ROLES}


def normalize_role(raw: str, allowed: tuple[str, ...] = USER_ROLES) -> Outcome:
    """Canonical role; case or synonym -> ROLE_MAPPED, unknown -> ROLE_INVALID."""
    if raw in allowed or raw.startswith("ext:"):
        return raw, None, None
    lowered = " ".join(raw.lower().replace("_", " ").split())
    role = _BY_LOWER.get(lowered.replace(" ", "")) or SYNONYMS.get(lowered)
    if role is not None and (role in allowed or role.startswith("ext:")):
        return role, "ROLE_MAPPED", role
    return None, "ROLE_INVALID", ", ".join(allowed)


RELATIONSHIPS = ("parent", "guardian", "relative", "aide", "other")
"""Relationship of a guardian to a student (Parent, Aide, Guardian, Relative, Other)."""


def normalize_relationship(raw: str) -> Outcome:
    """Relationship, case-insensitive; ``ext:other`` is read as other; unknown -> invalid."""
    lowered = raw.strip().lower().removeprefix("ext:")
    if lowered in RELATIONSHIPS:
        return lowered, None, None
    return None, "RELATIONSHIP_INVALID", "Parent, Aide, Guardian, Relative, Other"
