"""The next day's export of a generated district: leavers, arrivals, closed classes, new mobiles."""

from __future__ import annotations

import polars as pl


def next_day(files: dict[str, pl.DataFrame], every: int = 200) -> dict[str, pl.DataFrame]:
    """The district's next export, for day-2 syncs.

    1 in ``every`` students leave (with their enrollments) and as many arrive, 1 in ``every``
    classes close, and about 2 in ``every`` guardians change mobile.
    """
    users, enrollments, classes = files["users"], files["enrollments"], files["classes"]
    students = users.filter(pl.col("role") == "student").with_row_index("_n")
    leaving = students.filter(pl.col("_n") % every == 0)["sourcedId"].implode()
    closing = classes.with_row_index("_n").filter(pl.col("_n") % every == 1)["sourcedId"].implode()
    templates = students.filter(pl.col("_n") % every == 1).drop("_n")
    arrivals = templates.with_columns(sourcedId=pl.lit("n") + pl.col("sourcedId"))
    arrival_enrollments = enrollments.join(
        templates.select(pl.col("sourcedId").alias("userSourcedId")), on="userSourcedId"
    ).with_columns(
        sourcedId=pl.lit("n") + pl.col("sourcedId"),
        userSourcedId=pl.lit("n") + pl.col("userSourcedId"),
    )
    guardians = pl.col("role").is_in(["parent", "guardian"])
    moved = guardians & (pl.col("sourcedId").hash(7) % (every // 2) == 0)
    next_users = pl.concat([users.filter(~pl.col("sourcedId").is_in(leaving)), arrivals])
    return {
        **files,
        "users": next_users.with_columns(
            sms=pl.when(moved).then(pl.col("sms").str.replace(r"\d{4}$", "0199")).otherwise("sms")
        ),
        "classes": classes.filter(~pl.col("sourcedId").is_in(closing)),
        "enrollments": pl.concat(
            [
                enrollments.filter(
                    ~pl.col("userSourcedId").is_in(leaving)
                    & ~pl.col("classSourcedId").is_in(closing)
                ),
                arrival_enrollments,
            ]
        ),
    }
