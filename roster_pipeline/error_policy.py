"""What a bad value costs, file by file and column by column: one table, documented from code.

- identity fields (the record's id), required fields and required references reject the
  record: an ``error``, the row is not applied (its previous version, if any, stays live);
- a problem in an optional field blanks that field (or leaves out the bad element of a list)
  with a ``warning``, and the record is applied;
- normalisation that keeps the meaning (a case, a vocabulary word or a grade mapped) is a
  ``notice``: one ``info`` finding per file, column, code and value, with a count.

The value as the file sent it stays in the ``value`` column of the findings table (the DuckDB
file is for trusted analysts); messages in logs, run metadata and workbooks stay masked.
``docs/findings.md`` is generated from :data:`POLICY`.
"""

from __future__ import annotations

from dataclasses import dataclass

from roster_pipeline.findings import ERROR, INFO, WARNING
from roster_pipeline.specs import FILE_SPECS

IDENTITY, REQUIRED, REFERENCE, OPTIONAL = "identity", "required", "required reference", "optional"

REJECTED = "the row was not applied"
BLANKED = "it was left blank"

NOTICES = ("VALUE_CASE", "ROLE_MAPPED", "GRADE_MAPPED", "LANGUAGE_MAPPED")
"""Issues that keep the value's meaning: grouped, one finding per file, column, code and value."""
KEPT_VALUE = ("SMS_NOT_MOBILE", "VALUE_EXTENDED", "STATUS_MAPPED", "STATUS_INVALID")
"""Issues whose value is kept or read in its nearest meaning (never blanked): a warning in any
column, required or not."""

REQUIRED_REFERENCES = {
    ("classes", "schoolSourcedId"),
    ("roles", "userSourcedId"),
    ("roles", "orgSourcedId"),
    ("enrollments", "classSourcedId"),
    ("enrollments", "userSourcedId"),
    ("enrollments", "schoolSourcedId"),
    ("guardians", "studentSourcedId"),
}
"""References whose target must exist and be applied (the resolve stage checks them)."""

ALSO_REQUIRED = {("users", "role"), ("enrollments", "role"), ("roles", "role")}
"""Required although the header may omit them (a 1.2 user's role comes from roles.csv)."""

EXTENSIBLE_REQUIRED = {("orgs", "type"), ("academicSessions", "type")}
"""Required vocabularies OneRoster lets a district extend: another word is kept as ``ext:``."""

BAD_VALUE: dict[tuple[str | None, str], str] = {
    (None, "status"): "read as active (warning); 1.0's inactive as tobedeleted (warning)",
    (None, "language"): "English used (warning)",
    (None, "grades"): "unknown grades left out of the list (warning), row applied",
    (None, "sms"): "left blank (warning); a landline is kept with a warning",
    ("classes", "termSourcedIds"): "unknown terms left out of the list (warning), row applied",
    ("users", "orgSourcedIds"): "unknown orgs left out (warning); none left rejects the row",
    ("users", "agentSourcedIds"): "unknown agents left out (warning), row applied",
}
"""What a bad value does where it is more than "rejects the row" or "left blank"."""


@dataclass(frozen=True)
class ColumnPolicy:
    """How one column of one file kind is treated."""

    kind: str
    column: str
    role: str
    """identity | required | required reference | optional."""

    @property
    def rejects(self) -> bool:
        """Whether a bad value rejects the record."""
        return self.role != OPTIONAL

    @property
    def bad_value(self) -> str:
        """What a bad value does, in words for the findings guide."""
        for key in ((self.kind, self.column), (None, self.column)):
            if key in BAD_VALUE:
                return BAD_VALUE[key]
        if (self.kind, self.column) in EXTENSIBLE_REQUIRED:
            return "an unknown word kept as ext:<word> (warning); blank rejects the row"
        return "rejects the row" if self.rejects else "left blank (warning), row applied"

    @property
    def consequence(self) -> str:
        """What a bad value does, as a message ends."""
        return REJECTED if self.rejects else BLANKED


def _role(kind: str, column: str) -> str:
    spec = FILE_SPECS[kind]
    if column == "sourcedId" or column in spec.id_from:
        return IDENTITY
    if (kind, column) in REQUIRED_REFERENCES:
        return REFERENCE
    if column in spec.row_required or (kind, column) in ALSO_REQUIRED:
        return REQUIRED
    return OPTIONAL


POLICY: dict[tuple[str, str], ColumnPolicy] = {
    (kind, column): ColumnPolicy(kind, column, _role(kind, column))
    for kind, spec in FILE_SPECS.items()
    for column in spec.columns
}
"""(file kind, canonical column) -> its policy, for every column of every file kind."""


def column_policy(kind: str, column: str) -> ColumnPolicy:
    """The policy of one column (an unknown column is optional: an extension)."""
    return POLICY.get((kind, column), ColumnPolicy(kind, column, OPTIONAL))


def severity(kind: str, column: str, issue: str) -> str:
    """The severity of a value ``issue`` (a code suffix) found in ``column`` of ``kind``."""
    if issue in NOTICES:
        return INFO
    if issue in KEPT_VALUE:
        return WARNING
    return ERROR if column_policy(kind, column).rejects else WARNING
