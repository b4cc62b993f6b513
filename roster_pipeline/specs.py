"""What each roster file kind looks like: canonical columns, header aliases, requirements.

Canonical names are OneRoster's (camelCase); tables use the snake_case form of the same name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_COMMON = ("sourcedId", "status", "dateLastModified")
RACE_FLAGS = (
    "americanIndianOrAlaskaNative",
    "asian",
    "blackOrAfricanAmerican",
    "nativeHawaiianOrOtherPacificIslander",
    "white",
    "demographicRaceTwoOrMoreRaces",
    "hispanicOrLatinoEthnicity",
)


@dataclass(frozen=True)
class FileSpec:
    """One roster file kind."""

    kind: str
    """OneRoster file stem, e.g. ``users``."""
    prefix: str
    """Finding-code prefix, e.g. ``USR``."""
    table: str
    """DuckDB table name."""
    columns: tuple[str, ...]
    """Canonical columns, in spec order."""
    header_required: tuple[str, ...]
    """Columns whose absence makes the whole file unusable (a file-level finding)."""
    row_required: tuple[str, ...] = ()
    """Columns that must have a value on every row."""
    list_columns: tuple[str, ...] = ()
    """Comma-separated lists inside one field."""
    aliases: dict[str, str] = field(default_factory=dict)
    """Human or misspelled header -> canonical column."""
    taken_aliases: dict[str, str] = field(default_factory=dict)
    """Header -> column when the alias's usual column is in the header under its own name
    (OneRoster 1.0's ``userId`` beside ``sourcedId`` is an identifier, not the id)."""
    unique_ids: bool = True
    """Whether sourcedId must be unique in the file (a guardians upload repeats guardians)."""
    id_from: tuple[str, ...] = ()
    """Columns that make up the row's id when the file has no sourcedId."""


def header_key(name: str) -> str:
    """Case-, space-, underscore- and hyphen-insensitive key of a header cell."""
    return re.sub(r"[\s_\-]+", "", name).lower()


def snake(name: str) -> str:
    """``orgSourcedIds`` -> ``org_sourced_ids``."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


SPECS: dict[str, FileSpec] = {
    spec.kind: spec
    for spec in (
        FileSpec(
            "orgs",
            "ORG",
            "orgs",
            (*_COMMON, "name", "type", "identifier", "parentSourcedId"),
            header_required=("sourcedId", "name", "type"),
            row_required=("sourcedId", "name", "type"),
        ),
        FileSpec(
            "academicSessions",
            "SES",
            "academic_sessions",
            (*_COMMON, "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"),
            header_required=("sourcedId", "title", "type"),
            row_required=("sourcedId", "title", "type"),
        ),
        FileSpec(
            "courses",
            "CRS",
            "courses",
            (
                *_COMMON,
                "schoolYearSourcedId",
                "title",
                "courseCode",
                "grades",
                "orgSourcedId",
                "subjects",
                "subjectCodes",
            ),
            header_required=("sourcedId", "title"),
            row_required=("sourcedId", "title"),
            list_columns=("grades", "subjects", "subjectCodes"),
            aliases={
                "code": "courseCode",
                "grade": "grades",
                "subject": "subjects",
                "schoolyearid": "schoolYearSourcedId",
            },
        ),
        FileSpec(
            "classes",
            "CLS",
            "classes",
            (
                *_COMMON,
                "title",
                "grades",
                "courseSourcedId",
                "classCode",
                "classType",
                "location",
                "schoolSourcedId",
                "termSourcedIds",
                "subjects",
                "subjectCodes",
                "periods",
            ),
            header_required=("sourcedId", "title"),
            row_required=("sourcedId", "title", "schoolSourcedId"),
            list_columns=("grades", "termSourcedIds", "subjects", "subjectCodes", "periods"),
            aliases={
                "classid": "sourcedId",
                "orgsourcedid": "schoolSourcedId",
                "schoolid": "schoolSourcedId",
                "sessionsourcedids": "termSourcedIds",
                "termsourcedid": "termSourcedIds",
                "grade": "grades",
            },
        ),
        FileSpec(
            "users",
            "USR",
            "users",
            (
                *_COMMON,
                "enabledUser",
                "orgSourcedIds",
                "role",
                "username",
                "userIds",
                "givenName",
                "familyName",
                "middleName",
                "identifier",
                "email",
                "sms",
                "phone",
                "agentSourcedIds",
                "grades",
                "userMasterIdentifier",
                "resourceSourcedIds",
                "preferredGivenName",
                "preferredMiddleName",
                "preferredFamilyName",
                "primaryOrgSourcedId",
                "pronouns",
                "language",
            ),
            header_required=("sourcedId", "givenName", "familyName"),
            row_required=("sourcedId", "givenName", "familyName"),
            list_columns=("orgSourcedIds", "agentSourcedIds", "grades", "userIds"),
            aliases={
                "sourceid": "sourcedId",
                "userid": "sourcedId",
                "firstname": "givenName",
                "lastname": "familyName",
                "prefferedgivenname": "preferredGivenName",
                "prefferedmiddlename": "preferredMiddleName",
                "prefferedfamilyname": "preferredFamilyName",
                "metadata.language": "language",
                "preferredlanguage": "language",
                "mobile": "sms",
                "homephone": "phone",
                "grade": "grades",
                "agents": "agentSourcedIds",
            },
            taken_aliases={"userid": "userIds"},
        ),
        FileSpec(
            "roles",
            "ROL",
            "user_roles",
            (
                *_COMMON,
                "userSourcedId",
                "roleType",
                "role",
                "beginDate",
                "endDate",
                "orgSourcedId",
                "userProfileSourcedId",
            ),
            header_required=("userSourcedId", "role", "orgSourcedId"),
            row_required=("userSourcedId", "role", "orgSourcedId"),
            aliases={"datalastmodified": "dateLastModified"},
        ),
        FileSpec(
            "enrollments",
            "ENR",
            "enrollments",
            (
                *_COMMON,
                "classSourcedId",
                "schoolSourcedId",
                "userSourcedId",
                "role",
                "primary",
                "beginDate",
                "endDate",
            ),
            header_required=("classSourcedId", "userSourcedId", "role"),
            row_required=("classSourcedId", "userSourcedId", "role"),
            aliases={"classid": "classSourcedId", "userid": "userSourcedId"},
        ),
        FileSpec(
            "demographics",
            "DEM",
            "demographics",
            (
                *_COMMON,
                "birthDate",
                "sex",
                *RACE_FLAGS,
                "countryOfBirthCode",
                "stateOfBirthAbbreviation",
                "cityOfBirth",
                "publicSchoolResidenceStatus",
            ),
            header_required=("sourcedId",),
            row_required=("sourcedId",),
            aliases={"usersourcedid": "sourcedId"},
        ),
    )
}

GUARDIANS = FileSpec(
    "guardians",
    "GDN",
    "guardian_upload_results",
    (
        "sourcedId",
        "studentSourcedId",
        "guardianSourcedId",
        "givenName",
        "familyName",
        "email",
        "sms",
        "phone",
        "language",
        "relationship",
    ),
    header_required=("studentSourcedId", "givenName", "familyName"),
    row_required=("studentSourcedId", "givenName", "familyName"),
    aliases={
        "studentid": "studentSourcedId",
        "studentcode": "studentSourcedId",
        "studentnumber": "studentSourcedId",
        "guardianid": "guardianSourcedId",
        "parentid": "guardianSourcedId",
        "guardiancode": "guardianSourcedId",
        "parentcode": "guardianSourcedId",
        "firstname": "givenName",
        "lastname": "familyName",
        "emailaddress": "email",
        "mobile": "sms",
        "mobilephone": "sms",
        "mobilenumber": "sms",
        "cell": "sms",
        "cellphone": "sms",
        "homephone": "phone",
        "preferredlanguage": "language",
        "relationshiptype": "relationship",
    },
    unique_ids=False,
    id_from=("studentSourcedId",),
)
"""guardians.csv: parent/guardian contacts to attach to already-synced students."""

RELATIONSHIPS = FileSpec(
    "relationships",
    "REL",
    "relationship_import_results",
    ("sourcedId", "parentEmail", "studentEmail", "studentSourcedId", "relationship"),
    header_required=("parentEmail", "relationship"),
    row_required=("parentEmail", "relationship"),
    aliases={
        "guardianemail": "parentEmail",
        "parentguardianemail": "parentEmail",
        "studentid": "studentSourcedId",
        "studentcode": "studentSourcedId",
        "studentnumber": "studentSourcedId",
        "relationshiptype": "relationship",
        "type": "relationship",
    },
    unique_ids=False,
    id_from=("studentSourcedId",),
)
"""Relationships import: parent email + student email or id + relationship type."""

UPLOAD_SPECS = {GUARDIANS.kind: GUARDIANS, RELATIONSHIPS.kind: RELATIONSHIPS}
FILE_SPECS = {**SPECS, **UPLOAD_SPECS}
"""Every file kind the intake and validation stages know (roster files and uploads)."""

# Order in which entities are resolved: every reference points to an earlier entity
# (users.agentSourcedIds points to users itself and is resolved after users).
LOAD_ORDER = (
    "orgs",
    "academicSessions",
    "courses",
    "classes",
    "users",
    "roles",
    "enrollments",
    "demographics",
)

# OneRoster files we recognise but do not load (gradebook, resources, profiles).
NOT_LOADED = {
    header_key(k)
    for k in (
        "categories",
        "classResources",
        "courseResources",
        "lineItems",
        "resources",
        "results",
        "userProfiles",
        "userResources",
        "scoreScales",
        "lineItemScoreScales",
        "resultScoreScales",
        "lineItemLearningObjectiveIds",
        "resultLearningObjectiveIds",
    )
}

ONEROSTER_1_0_MARKERS: dict[str, frozenset[str]] = {
    "users": frozenset({"agents"}),
    "classes": frozenset({"termsourcedid"}),
    "courses": frozenset({"schoolyearid"}),
}
"""header_key form of columns only OneRoster 1.0 files have (``userId`` beside ``sourcedId``
counts too: see ``taken_aliases``)."""

ALL_FILE_KINDS = tuple(SPECS) + tuple(sorted(NOT_LOADED))


def kind_of_file(filename: str) -> str | None:
    """The loaded file kind of a CSV file name (case-insensitive), or None."""
    stem = header_key(filename.rsplit(".", 1)[0])
    for kind in SPECS:
        if header_key(kind) == stem:
            return kind
    return None


def header_lookup(spec: FileSpec) -> dict[str, str]:
    """Header key -> canonical column for one file kind (canonical names and aliases)."""
    lookup = {header_key(c): c for c in spec.columns}
    lookup.update({header_key(a): c for a, c in spec.aliases.items()})
    return lookup
