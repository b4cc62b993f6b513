"""What a batch with no usable roster file looks like, said in words a district can act on.

Other rostering formats are recognised by their file names (and a header where names are shared
with OneRoster, as Clever's ``enrollments.csv`` is) and refused with what to send instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from roster_pipeline.specs import header_key


@dataclass(frozen=True)
class ForeignFormat:
    """A roster format that is not OneRoster CSV."""

    name: str
    files: frozenset[str]
    """header_key form of its file stems."""
    needed: int
    """How many of them make the guess."""
    header_hint: frozenset[str] = frozenset()
    """header_key form of columns only this format has (to tell a shared file name apart)."""


FORMATS = (
    ForeignFormat(
        "a Microsoft School Data Sync v1 export",
        frozenset(
            {"school", "section", "student", "teacher", "studentenrollment", "teacherroster"}
        ),
        needed=2,
    ),
    ForeignFormat(
        "a Clever export",
        frozenset({"schools", "sections", "students", "teachers", "enrollments", "admins"}),
        needed=2,
        header_hint=frozenset({"schoolid", "sectionid", "studentid", "teacherid", "cleverid"}),
    ),
)

UPLOADS = {
    "guardians": "a guardians upload (guardians.csv): load it with the guardian_upload asset",
    "relationships": "a relationships import: load it with the relationship_import asset",
}


def _stem(name: str) -> str:
    return header_key(name.rsplit(".", 1)[0])


def describe(names: list[str], headers: dict[str, list[str]]) -> str:
    """Why the files ``names`` (with some of their headers, by name) hold no usable roster file."""
    keys = {_stem(n) for n in names}
    for fmt in FORMATS:
        hits = keys & fmt.files
        hinted = any(
            header_key(cell) in fmt.header_hint
            for name, cells in headers.items()
            if _stem(name) in fmt.files
            for cell in cells
        )
        if len(hits) >= fmt.needed and (not fmt.header_hint or hinted or hits - {"enrollments"}):
            shown = ", ".join(sorted(n for n in names if _stem(n) in fmt.files))
            return (
                f"These files look like {fmt.name} ({shown}), not OneRoster CSV. Export the "
                "roster as OneRoster CSV (users.csv, classes.csv, enrollments.csv, ...) and "
                "send it again. Nothing was applied."
            )
    for key, what in UPLOADS.items():
        if key in keys:
            return f"This looks like {what}, not a roster export. Nothing was applied."
    if not names:
        return (
            "The batch holds no CSV file: users.csv or enrollments.csv expected. "
            "Nothing was applied."
        )
    return (
        "No roster file could be used: users.csv or enrollments.csv expected (with the OneRoster "
        "header), and none was readable with its required columns. See the other findings of "
        "this batch. Nothing was applied."
    )
