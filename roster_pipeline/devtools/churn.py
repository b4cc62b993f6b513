"""A generated district's next export at a chosen churn.

Students leave and arrive, guardians change contacts, classes close; for either profile (links
on the students' rows, or on the guardians').
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

GUARDIAN_ROLES = ("parent", "guardian", "relative")


@dataclass(frozen=True)
class Churn:
    """Fractions of one day's changes."""

    students: float
    """Students who leave, and as many who arrive (with enrollments and a guardian)."""
    contacts: float
    """Guardians with a new mobile (half of them a new e-mail too)."""
    classes: float
    """Classes that close (their enrollments go with them)."""


LEVELS = {
    "quiet": Churn(students=0.005, contacts=0.005, classes=0.005),
    "typical": Churn(students=0.02, contacts=0.03, classes=0.05),
    "heavy": Churn(students=0.10, contacts=0.10, classes=0.10),
}
"""The benchmark's days: ``--churn quiet|typical|heavy``."""


def _picked(ids: pl.Expr, fraction: float, salt: int) -> pl.Expr:
    """About ``fraction`` of the rows, chosen by a hash of their id (the same every run)."""
    return (ids.hash(salt) % 100_000) < int(fraction * 100_000)


def churn(files: dict[str, pl.DataFrame], level: Churn) -> dict[str, pl.DataFrame]:
    """The district's next export after one day of ``level``'s changes."""
    users, enrollments, classes = files["users"], files["enrollments"], files["classes"]
    role = pl.col("role")
    sid = pl.col("sourcedId")
    students = users.filter(role == "student")
    leaving = students.filter(_picked(sid, level.students, 31))["sourcedId"]
    closing = classes.filter(_picked(sid, level.classes, 32))["sourcedId"]
    # as many arrive as leave, each a copy of a staying student (its enrollments, its household)
    templates = (
        students.filter(~sid.is_in(leaving.implode())).sort(sid.hash(33)).head(leaving.len())
    )
    arrivals = templates.with_columns(sourcedId=pl.lit("n") + sid)
    new_guardians = templates.head(0)
    guardian_links = users.filter(role.is_in(GUARDIAN_ROLES))["agentSourcedIds"]
    links_on_guardians = guardian_links.null_count() < guardian_links.len()
    # Links on the students' rows: an arrival joins its template's household (its links kept).
    if links_on_guardians:  # links on the guardians' rows: each arrival comes with a guardian
        arrivals = arrivals.with_columns(agentSourcedIds=pl.lit(None, pl.String))
        new_guardians = templates.with_columns(
            sourcedId=pl.lit("pn") + sid,
            role=pl.lit("parent"),
            email=pl.format("new{}@mail.example.net", sid),
            agentSourcedIds=pl.lit("n") + sid,
            grades=pl.lit(None, pl.String),
        )
    arrival_enrollments = enrollments.join(
        templates.select(sid.alias("userSourcedId")), on="userSourcedId"
    ).filter(~pl.col("classSourcedId").is_in(closing.implode()))
    arrival_enrollments = arrival_enrollments.with_columns(
        sourcedId=pl.lit("n") + sid, userSourcedId=pl.lit("n") + pl.col("userSourcedId")
    )
    gone = leaving.implode()
    kept = users.filter(~sid.is_in(gone))
    if links_on_guardians:  # the leavers drop out of their guardians' lists (a guardian left
        # with no child goes too): exploded, anti-joined, put back together in order
        links = (
            kept.select("sourcedId", child=pl.col("agentSourcedIds").str.split(","))
            .with_row_index("_row")
            .explode("child")
            .filter(pl.col("child").is_not_null() & ~pl.col("child").is_in(gone))
            .group_by("_row", maintain_order=True)
            .agg(pl.col("sourcedId").first(), left=pl.col("child").str.join(","))
        )
        kept = kept.join(links.select("sourcedId", "left"), on="sourcedId", how="left")
        linked = pl.col("agentSourcedIds").is_not_null()
        kept = kept.filter(~linked | pl.col("left").is_not_null())
        kept = kept.with_columns(agentSourcedIds=pl.col("left")).drop("left")
    moving = role.is_in(GUARDIAN_ROLES) & _picked(sid, level.contacts, 34)
    kept = kept.with_columns(
        sms=pl.when(moving & pl.col("sms").is_not_null())
        .then(pl.col("sms").str.replace(r"\d{4}$", "0199"))
        .otherwise(pl.col("sms")),
        email=pl.when(moving & _picked(sid, 0.5, 35) & pl.col("email").is_not_null())
        .then(pl.lit("moved.") + pl.col("email"))
        .otherwise(pl.col("email")),
    )
    return {
        **files,
        "users": pl.concat([kept, arrivals, new_guardians.select(users.columns)]),
        "classes": classes.filter(~sid.is_in(closing.implode())),
        "enrollments": pl.concat(
            [
                enrollments.filter(
                    ~pl.col("userSourcedId").is_in(gone)
                    & ~pl.col("classSourcedId").is_in(closing.implode())
                ),
                arrival_enrollments,
            ]
        ),
    }
