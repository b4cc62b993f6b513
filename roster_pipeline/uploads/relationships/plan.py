"""A relationships import -> per-row results, the links to create and the types to change.

Pass 1 (file check) is validation: headers, required cells, well-formed emails and types.
Pass 2 (data check) is here: both people exist, the student's two identifiers agree, no
duplicate in the file, at most six guardians, and a link that exists with another type is a
type change (applied only on import).
"""

from __future__ import annotations

import polars as pl

from roster_pipeline.normalize.roles import GUARDIAN_ROLES
from roster_pipeline.privacy import mask_email_expr
from roster_pipeline.resolve.references import MAX_GUARDIANS
from roster_pipeline.uploads.engine import (
    RESULT_SCHEMA,
    LiveState,
    Plan,
    fail_rows,
    unpadded_students,
    validation_reasons,
)


def _by_email(users: pl.DataFrame, prefix: str) -> pl.DataFrame:
    """Lower-cased email -> the ids of the users who have it."""
    return (
        users.filter(pl.col("email").is_not_null())
        .group_by(pl.col("email").str.to_lowercase().alias(f"{prefix}_key"))
        .agg(pl.col("sourced_id").alias(f"{prefix}_ids"))
    )


def plan_import(rows: pl.DataFrame, row_findings: pl.DataFrame, live: LiveState) -> Plan:
    """Decide, for every row of a validated relationships file, what importing it does."""
    errors = validation_reasons(row_findings)
    guardians = live.users.filter(pl.col("role").is_in(GUARDIAN_ROLES))
    students = live.users.filter(pl.col("role") == "student")
    student_ids = students.select(pl.col("sourced_id").alias("by_id"), pl.lit(True).alias("id_ok"))
    unpadded = unpadded_students(live.users)
    frame = (
        rows.join(errors, on="_line", how="left")
        .with_columns(
            parent_key=pl.col("parent_email").str.to_lowercase(),
            student_key=pl.col("student_email").str.to_lowercase(),
            _key=pl.col("student_sourced_id").str.strip_chars_start("0"),
        )
        .join(_by_email(guardians, "parent"), on="parent_key", how="left")
        .join(_by_email(students, "student"), on="student_key", how="left")
        .join(student_ids, left_on="student_sourced_id", right_on="by_id", how="left")
        .join(unpadded, on="_key", how="left")
        .with_columns(reason=pl.col("validation"))
    )
    masked_parent = mask_email_expr(pl.col("parent_email"))
    masked_student = mask_email_expr(pl.col("student_email"))
    by_email = pl.col("student_ids").list.first()
    frame = fail_rows(frame, ~pl.col("_ok"), "The row has errors.")
    frame = fail_rows(
        frame,
        pl.col("student_sourced_id").is_null() & pl.col("student_email").is_null(),
        "Give the Student Email or the Student ID.",
    )
    frame = fail_rows(
        frame, pl.col("parent_email").is_null(), "Parent Email is not a valid address."
    )
    frame = fail_rows(
        frame,
        pl.col("parent_ids").is_null(),
        pl.format("No parent or guardian has email '{}'.", masked_parent),
    )
    frame = fail_rows(
        frame,
        pl.col("parent_ids").list.len() > 1,
        pl.format("Several guardians have email '{}'; fix the duplicates first.", masked_parent),
    )
    frame = fail_rows(
        frame,
        pl.col("student_sourced_id").is_not_null()
        & pl.col("id_ok").is_null()
        & pl.col("zero_hint").is_not_null(),
        pl.format(
            "No student has id '{}', but '{}' does: a spreadsheet probably stripped the leading "
            "zeros.",
            "student_sourced_id",
            "zero_hint",
        ),
    )
    frame = fail_rows(
        frame,
        pl.col("student_sourced_id").is_not_null() & pl.col("id_ok").is_null(),
        pl.format("No student has id '{}'.", "student_sourced_id"),
    )
    frame = fail_rows(
        frame,
        pl.col("student_email").is_not_null() & pl.col("student_ids").is_null(),
        pl.format("No student has email '{}'.", masked_student),
    )
    frame = fail_rows(
        frame,
        pl.col("student_ids").list.len() > 1,
        pl.format("Several students have email '{}'; use the Student ID.", masked_student),
    )
    frame = fail_rows(
        frame,
        pl.col("student_sourced_id").is_not_null()
        & pl.col("student_email").is_not_null()
        & (by_email != pl.col("student_sourced_id")),
        pl.format(
            "Student ID '{}' and Student Email '{}' point to different students ('{}' and '{}').",
            "student_sourced_id",
            masked_student,
            "student_sourced_id",
            by_email,
        ),
    )
    frame = frame.with_columns(
        student=pl.coalesce("student_sourced_id", by_email),
        guardian=pl.col("parent_ids").list.first(),
    )
    return _links(frame, live.links)


def _links(frame: pl.DataFrame, links: pl.DataFrame) -> Plan:
    """Duplicates, type changes and the six-guardian limit; then results and writes."""
    ok = pl.col("reason").is_null()
    first = (
        frame.filter(ok)
        .group_by("student", "guardian")
        .agg(pl.col("_line").min().alias("first_line"))
    )
    frame = frame.join(first, on=["student", "guardian"], how="left")
    frame = fail_rows(
        frame,
        pl.col("first_line") < pl.col("_line"),
        pl.format("Duplicate of line {}: the same parent and student.", "first_line"),
    )
    existing = links.select(
        pl.col("student_sourced_id").alias("student"),
        pl.col("guardian_sourced_id").alias("guardian"),
        pl.col("relationship").alias("current"),
    ).unique(["student", "guardian"], keep="first")
    counts = existing.group_by("student").agg(pl.len().alias("n_linked"))
    frame = frame.join(existing, on=["student", "guardian"], how="left").join(
        counts, on="student", how="left"
    )
    new = pl.col("reason").is_null() & pl.col("current").is_null()
    frame = frame.with_columns(
        rank=pl.when(new).then(pl.col("_line").rank("ordinal").over("student", new)),
        n_linked=pl.col("n_linked").fill_null(0),
    )
    frame = fail_rows(
        frame,
        new & (pl.col("n_linked") + pl.col("rank") > MAX_GUARDIANS),
        pl.format(
            "Student '{}' already has {} guardians; a student can have at most {}.",
            "student",
            pl.col("n_linked") + pl.col("rank") - 1,
            pl.lit(MAX_GUARDIANS),
        ),
    )
    ok = pl.col("reason").is_null()
    action = (
        pl.when(~ok)
        .then(pl.lit("SKIPPED"))
        .when(pl.col("current").is_null())
        .then(pl.lit("CREATED"))
        .when(pl.col("current") != pl.col("relationship"))
        .then(pl.lit("UPDATED"))
        .otherwise(pl.lit("UNCHANGED"))
    )
    frame = frame.with_columns(action=action)
    message = (
        pl.when(~ok)
        .then(pl.col("reason"))
        .when(pl.col("action") == "CREATED")
        .then(pl.format("Linked as {}.", "relationship"))
        .when(pl.col("action") == "UPDATED")
        .then(pl.format("Relationship changes from {} to {}.", "current", "relationship"))
        .otherwise(pl.format("Already linked as {}.", "relationship"))
    )
    results = (
        frame.sort("_line")
        .select(
            pl.col("_line").alias("line"),
            pl.col("student").alias("student_sourced_id"),
            pl.col("guardian").alias("guardian_sourced_id"),
            pl.when(ok).then(pl.lit("SUCCESS")).otherwise(pl.lit("FAILED")).alias("result"),
            "action",
            message.alias("message"),
        )
        .cast(RESULT_SCHEMA)
    )
    writes = {
        name: frame.filter(pl.col("action") == action_name).select(
            pl.col("student").alias("student_sourced_id"),
            pl.col("guardian").alias("guardian_sourced_id"),
            "relationship",
        )
        for name, action_name in (("plan_new_links", "CREATED"), ("plan_type_changes", "UPDATED"))
    }
    return Plan(results, writes)
