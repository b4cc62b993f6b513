"""A district shaped unlike ``generate``'s: guardians carry the links, households vary in size.

``generate.generate`` links each student to its household's one or two guardians from the
student's row. Many SIS exports do it the other way round: the guardian's row lists its
children in ``agentSourcedIds`` (students' own is blank), households have one to five children
and one to three adults, a guardian's children attend several schools (so the guardian lists
every one of them in ``orgSourcedIds``), and the users file carries the SIS's own columns
(``identifier``, ``username``, ``metadata.*``). At 500,000 students this profile has about
1.17 million users, as the district measured in issue 20.
"""

from __future__ import annotations

import polars as pl

from roster_pipeline.devtools.generate import FIRST, LANGS, LAST, _phone, _pick, generate

CHILDREN = (1,) * 62 + (2,) * 27 + (3,) * 8 + (4,) * 2 + (5,)
"""Children per household, one draw per household (mean 1.53)."""
ADULTS = (1,) * 20 + (2,) * 70 + (3,) * 10
"""Guardians per household (mean 1.9): a single parent, two, or two and a grandparent."""


def _households(students: int, seed: int) -> pl.DataFrame:
    """(household, first student index, children, adults) covering every student once."""
    n = students  # at most one household per student
    drawn = pl.select(h=pl.int_range(0, n)).with_columns(
        children=_pick(CHILDREN, pl.col("h").hash(seed + 11)).cast(pl.Int64),
        adults=_pick(ADULTS, pl.col("h").hash(seed + 12)).cast(pl.Int64),
    )
    drawn = drawn.with_columns(first=pl.col("children").cum_sum() - pl.col("children"))
    drawn = drawn.filter(pl.col("first") < students)
    return drawn.with_columns(
        children=pl.min_horizontal(pl.col("children"), pl.lit(students) - pl.col("first"))
    )


def generate_agents(students: int, seed: int = 7) -> dict[str, pl.DataFrame]:
    """The district's files as frames (all strings), guardians linking to their children."""
    files = generate(students, seed)
    users = files["users"]
    base = users.filter(pl.col("role").is_in(["student", "teacher"]))
    homes = _households(students, seed)
    # each student's household: student index i belongs to the household whose range holds it
    members = (
        homes.select("h", "first", "children")
        .with_columns(i=pl.int_ranges(pl.col("first"), pl.col("first") + pl.col("children")))
        .explode("i")
        .select("h", "i")
    )
    students_rows = (
        base.filter(pl.col("role") == "student")
        .with_row_index("i")
        .with_columns(pl.col("i").cast(pl.Int64))
        .join(members, on="i")
    )
    children = students_rows.group_by("h").agg(
        ids=pl.col("sourcedId").sort(), schools=pl.col("orgSourcedIds").unique().sort()
    )
    adults = (
        homes.select("h", "adults")
        .with_columns(k=pl.int_ranges(0, pl.col("adults")))
        .explode("k")
        .join(children, on="h")
    )
    who = pl.col("h") * 3 + pl.col("k")
    guardians = adults.select(
        sourcedId=pl.format("p{}-{}", pl.col("h"), pl.col("k")),
        orgSourcedIds=pl.col("schools").list.join(","),
        role=pl.when(pl.col("k") == 2)
        .then(pl.lit("relative"))
        .when(pl.col("k") == 1)
        .then(pl.lit("guardian"))
        .otherwise(pl.lit("parent")),
        givenName=_pick(FIRST, who.hash(seed + 13)),
        familyName=_pick(LAST, pl.col("h").hash(seed + 14)),
        email=pl.when(who.hash(seed + 15) % 10 < 8)
        .then(pl.format("family{}.{}@mail.example.net", pl.col("h"), pl.col("k")))
        .otherwise(None),
        sms=pl.when(who.hash(seed + 16) % 10 < 9).then(_phone(who + seed)).otherwise(None),
        phone=pl.when(pl.col("h") % 4 == 0).then(_phone(pl.col("h") * 5 + seed)).otherwise(None),
        agentSourcedIds=pl.col("ids").list.join(","),
        grades=pl.lit(None, pl.String),
        language=_pick(LANGS, pl.col("h").hash(seed + 17)).replace("", None),
    )
    people = pl.concat([base.with_columns(agentSourcedIds=pl.lit(None, pl.String)), guardians])
    n = pl.int_range(0, pl.len())
    people = people.with_columns(
        identifier=pl.format("ST{}", (n * 7919 + seed) % 10_000_000),
        username=pl.col("sourcedId"),
        **{
            "metadata.sis.homeroom": pl.when(pl.col("role") == "student")
            .then(pl.format("HR-{}", n % 97))
            .otherwise(None),
            "metadata.sis.lastSynced": pl.lit("2026-11-22T23:00:00Z"),
        },
    )
    return {**files, "users": people}
