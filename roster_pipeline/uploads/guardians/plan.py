"""A guardians upload -> per-row results and the guardian accounts and links to write.

The plan is computed from the validated file and the live tables only; applying writes exactly
what the plan says, so a preview and an apply of the same file on the same live state agree.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import polars as pl

from roster_pipeline import findings
from roster_pipeline.normalize.roles import GUARDIAN_ROLES
from roster_pipeline.resolve.references import MAX_GUARDIANS
from roster_pipeline.uploads.engine import (
    RESULT_SCHEMA,
    LiveState,
    fail_rows,
    unpadded_students,
    validation_reasons,
)

CONTACT_FIELDS = ("given_name", "family_name", "email", "sms", "phone", "language")


@dataclass
class GuardianPlan:
    """Per-row results, and what applying writes (empty when abandoned)."""

    results: pl.DataFrame
    guardians: pl.DataFrame
    """Accounts to create or update: sourced_id, role, org_sourced_ids and contact fields."""
    links: pl.DataFrame
    """New links: student_sourced_id, guardian_sourced_id, relationship."""
    abandoned: bool = False


def new_guardian_id(email: str | None, sms: str | None) -> str:
    """A stable id for a guardian the file gives no id: from their email, else their mobile."""
    key = (email or "").lower() or (sms or "")
    return "gdn-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def _lines(column: str = "_line") -> pl.Expr:
    return pl.col(column).sort().cast(pl.String).str.join(", ")


def unique_live(key: str) -> pl.Expr:
    """The live user holding this email (or mobile), when exactly one does."""
    return pl.when(pl.col(f"live_{key}").list.len() == 1).then(pl.col(f"live_{key}").list.first())


def _resolve_ids(rows: pl.DataFrame, guardians: pl.DataFrame) -> pl.DataFrame:
    """Give each row its guardian id: as given, else by email or mobile (file, then live)."""
    file_ids = rows.filter(pl.col("guardian_sourced_id").is_not_null())
    by_key = []
    for key in ("email", "sms"):
        in_file = (
            file_ids.filter(pl.col(key).is_not_null())
            .group_by(key)
            .agg(pl.col("guardian_sourced_id").unique().alias("ids"))
            .filter(pl.col("ids").list.len() == 1)
            .select(key, pl.col("ids").list.first().alias(f"file_{key}"))
        )
        live = (
            guardians.filter(pl.col(key).is_not_null())
            .group_by(key)
            .agg(pl.col("sourced_id").alias("ids"))
            .select(key, pl.col("ids").alias(f"live_{key}"))
        )
        by_key.append((key, in_file, live))
    out = rows
    for key, in_file, live in by_key:
        out = out.join(in_file, on=key, how="left").join(live, on=key, how="left")
    out = out.with_columns(
        ambiguous=pl.col("guardian_sourced_id").is_null()
        & pl.coalesce(pl.col("file_email"), unique_live("email")).is_null()
        & (pl.col("live_email").list.len() > 1),
        gid=pl.coalesce(
            "guardian_sourced_id",
            "file_email",
            unique_live("email"),
            "file_sms",
            unique_live("sms"),
        ),
    )
    # Only a guardian with no id in the file and no match anywhere gets a generated id.
    reachable = pl.col("email").is_not_null() | pl.col("sms").is_not_null()
    contacts = out.filter(pl.col("gid").is_null() & reachable).select("email", "sms").unique()
    contacts = contacts.with_columns(
        generated=pl.Series(
            [new_guardian_id(e, m) for e, m in contacts.iter_rows()], dtype=pl.String
        )
    )
    out = out.join(contacts, on=["email", "sms"], how="left", nulls_equal=True).with_columns(
        gid=pl.coalesce("gid", "generated")
    )
    return out.drop("file_email", "file_sms", "live_sms", "generated")


def plan_upload(
    rows: pl.DataFrame,
    row_findings: pl.DataFrame,
    live: LiveState,
    *,
    scope_school: str | None = None,
    abandon: bool = False,
) -> GuardianPlan:
    """Decide, for every row of a validated guardians file, what applying it does."""
    errors = validation_reasons(row_findings)
    warnings = validation_reasons(row_findings, findings.WARNING).rename({"validation": "notes"})
    students = live.users.filter(pl.col("role") == "student").select(
        pl.col("sourced_id").alias("student_sourced_id"),
        pl.col("org_sourced_ids").alias("student_orgs"),
        pl.lit(True).alias("student_known"),
    )
    unpadded = unpadded_students(live.users)
    guardians = live.users.filter(pl.col("role").is_in(GUARDIAN_ROLES))
    frame = (
        rows.join(errors, on="_line", how="left")
        .join(warnings, on="_line", how="left")
        .join(students, on="student_sourced_id", how="left")
        .with_columns(_key=pl.col("student_sourced_id").str.strip_chars_start("0"))
        .join(unpadded, on="_key", how="left")
        .with_columns(reason=pl.col("validation"))
    )
    frame = fail_rows(frame, ~pl.col("_ok") & pl.col("reason").is_null(), "The row has errors.")
    frame = fail_rows(
        frame,
        pl.col("email").is_null() & pl.col("sms").is_null(),
        "A guardian needs a valid email or mobile (sms) to be reached; home phone does not count.",
    )
    frame = fail_rows(
        frame,
        pl.col("student_known").is_null() & pl.col("zero_hint").is_not_null(),
        pl.format(
            "No student has id '{}', but '{}' does: a spreadsheet probably stripped the leading "
            "zeros. Format the column as text and export again.",
            "student_sourced_id",
            "zero_hint",
        ),
    )
    frame = fail_rows(
        frame,
        pl.col("student_known").is_null(),
        pl.format("No student has id '{}' in the roster.", "student_sourced_id"),
    )
    if scope_school is not None:
        frame = fail_rows(
            frame,
            ~pl.col("student_orgs").list.contains(pl.lit(scope_school)).fill_null(False),
            pl.format(
                "Student '{}' is not in school {}, which this upload is for.",
                "student_sourced_id",
                pl.lit(scope_school),
            ),
        )
    frame = _resolve_ids(frame, guardians)
    frame = fail_rows(
        frame,
        pl.col("ambiguous"),
        "This email belongs to several guardians; give the guardian id to say which one.",
    )
    frame = _conflicts(frame, live.users)
    frame = _link_limit(frame, live.links)
    return _finish(frame, live, abandon)


def _conflicts(frame: pl.DataFrame, users: pl.DataFrame) -> pl.DataFrame:
    """Conflicting identities in the file or against live accounts are reported, not resolved."""
    ok = pl.col("reason").is_null()
    candidates = frame.filter(ok & pl.col("email").is_not_null())
    emails_per_id = (
        candidates.group_by("gid")
        .agg(pl.col("email").n_unique().alias("n_emails"))
        .filter(pl.col("n_emails") > 1)
        .join(candidates.select("gid", "_line"), on="gid")
        .group_by("gid", "n_emails")
        .agg(_lines().alias("id_lines"))
    )
    ids_per_email = (
        candidates.group_by("email")
        .agg(pl.col("gid").n_unique().alias("n_ids"))
        .filter(pl.col("n_ids") > 1)
        .join(candidates.select("email", "gid", "_line"), on="email")
        .group_by("email", "n_ids")
        .agg(
            pl.col("gid").unique().sort().str.join(", ").alias("email_ids"),
            _lines().alias("email_lines"),
        )
    )
    email_owner = (
        users.filter(pl.col("email").is_not_null())
        .group_by("email")
        .agg(pl.col("sourced_id").first().alias("email_owner"))
    )
    roles = users.select(pl.col("sourced_id").alias("gid"), pl.col("role").alias("gid_role"))
    frame = (
        frame.join(emails_per_id, on="gid", how="left")
        .join(ids_per_email, on="email", how="left")
        .join(email_owner, on="email", how="left")
        .join(roles, on="gid", how="left")
    )
    frame = fail_rows(
        frame,
        pl.col("n_emails") > 1,
        pl.format("Guardian '{}' has different emails in this file (lines {}).", "gid", "id_lines"),
    )
    frame = fail_rows(
        frame,
        pl.col("n_ids") > 1,
        pl.format(
            "This email is claimed by different guardian ids ({}) on lines {}.",
            "email_ids",
            "email_lines",
        ),
    )
    frame = fail_rows(
        frame,
        pl.col("email_owner").is_not_null() & (pl.col("email_owner") != pl.col("gid")),
        pl.format("This email already belongs to user '{}', not '{}'.", "email_owner", "gid"),
    )
    return fail_rows(
        frame,
        pl.col("gid_role").is_not_null() & ~pl.col("gid_role").is_in(GUARDIAN_ROLES),
        pl.format("Id '{}' belongs to a {}, not a parent or guardian.", "gid", "gid_role"),
    )


def _link_limit(frame: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    """A student keeps at most six guardians: new links past that fail, in file order."""
    existing = links.select(
        "student_sourced_id",
        pl.col("guardian_sourced_id").alias("gid"),
        pl.lit(True).alias("linked"),
    ).unique()
    counts = existing.group_by("student_sourced_id").agg(pl.len().alias("n_linked"))
    frame = (
        frame.join(existing, on=["student_sourced_id", "gid"], how="left")
        .join(counts, on="student_sourced_id", how="left")
        .with_columns(pl.col("n_linked").fill_null(0), pl.col("linked").fill_null(False))
    )
    new = (
        frame.filter(pl.col("reason").is_null() & ~pl.col("linked"))
        .group_by("student_sourced_id", "gid")
        .agg(pl.col("_line").min().alias("first_line"))
        .with_columns(
            rank=pl.col("first_line").rank("ordinal").over("student_sourced_id").cast(pl.Int64)
        )
    )
    frame = frame.join(new.drop("first_line"), on=["student_sourced_id", "gid"], how="left")
    return fail_rows(
        frame,
        ~pl.col("linked") & (pl.col("n_linked") + pl.col("rank") > MAX_GUARDIANS),
        pl.format(
            "Student '{}' already has {} guardians; a student can have at most {}.",
            "student_sourced_id",
            pl.col("n_linked") + pl.col("rank") - 1,
            pl.lit(MAX_GUARDIANS),
        ),
    )


def _finish(frame: pl.DataFrame, live: LiveState, abandon: bool) -> GuardianPlan:
    """Actions per row; the accounts and links to write."""
    ok = pl.col("reason").is_null()
    first = (
        frame.filter(ok)
        .sort("_line")
        .group_by("gid", maintain_order=True)
        .agg(
            pl.col("_line").first().alias("first_line"),
            *[pl.col(c).first() for c in CONTACT_FIELDS],
            pl.col("relationship").first(),
            pl.col("student_orgs")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .unique()
            .sort()
            .alias("org_sourced_ids"),
        )
    )
    current = live.users.select(
        pl.col("sourced_id").alias("gid"),
        pl.lit(True).alias("exists"),
        *[pl.col(c).alias(f"live_{c}") for c in CONTACT_FIELDS],
    )
    changed = pl.concat_list(
        [pl.when(pl.col(c).ne_missing(pl.col(f"live_{c}"))).then(pl.lit(c)) for c in CONTACT_FIELDS]
    ).list.drop_nulls()
    first = first.join(current, on="gid", how="left").with_columns(
        changed=changed,
        guardian_action=pl.when(pl.col("exists").is_null())
        .then(pl.lit("CREATED"))
        .when(changed.list.len() > 0)
        .then(pl.lit("UPDATED"))
        .otherwise(pl.lit("UNCHANGED")),
    )
    frame = frame.join(
        first.select("gid", "first_line", "guardian_action", "changed"), on="gid", how="left"
    )
    link_note = pl.when(pl.col("linked")).then(pl.lit("already linked to student ")).otherwise(
        pl.lit("linked to student ")
    ) + pl.col("student_sourced_id")
    success_message = (
        (
            pl.when(pl.col("_line") != pl.col("first_line"))
            .then(pl.format("Same guardian as line {}; ", "first_line"))
            .when(pl.col("guardian_action") == "CREATED")
            .then(pl.lit("Created guardian; "))
            .when(pl.col("guardian_action") == "UPDATED")
            .then(pl.format("Updated {}; ", pl.col("changed").list.join(", ")))
            .otherwise(pl.lit("No change to the guardian; "))
        )
        + link_note
        + pl.lit(".")
        + pl.when(pl.col("notes").is_not_null())
        .then(pl.lit(" Note: ") + pl.col("notes"))
        .otherwise(pl.lit(""))
    )
    failed = int(frame.filter(~ok).height)
    results = frame.sort("_line").select(
        pl.col("_line").alias("line"),
        "student_sourced_id",
        pl.col("gid").alias("guardian_sourced_id"),
        result=pl.when(ok & pl.lit(not (abandon and failed > 0)))
        .then(pl.lit("SUCCESS"))
        .otherwise(pl.lit("FAILED")),
        action=pl.when(~ok | pl.lit(abandon and failed > 0))
        .then(pl.lit("SKIPPED"))
        .when(pl.col("_line") != pl.col("first_line"))
        .then(pl.lit("UNCHANGED"))
        .otherwise(pl.col("guardian_action")),
        message=pl.when(~ok)
        .then(pl.col("reason"))
        .when(pl.lit(abandon and failed > 0))
        .then(
            pl.lit(
                f"Not applied: the upload was abandoned because {failed} of {frame.height} "
                "rows failed."
            )
        )
        .otherwise(success_message),
    )
    results = results.cast(RESULT_SCHEMA).select(list(RESULT_SCHEMA))
    writes = first.filter(pl.col("guardian_action") != "UNCHANGED").select(
        pl.col("gid").alias("sourced_id"),
        pl.when(pl.col("relationship").is_in(GUARDIAN_ROLES))
        .then(pl.col("relationship"))
        .otherwise(pl.lit("guardian"))
        .alias("role"),
        "org_sourced_ids",
        *CONTACT_FIELDS,
        pl.col("guardian_action").alias("action"),
    )
    links = (
        frame.filter(ok & ~pl.col("linked"))
        .sort("_line")
        .unique(["student_sourced_id", "gid"], keep="first")
        .select(
            "student_sourced_id",
            pl.col("gid").alias("guardian_sourced_id"),
            pl.col("relationship").fill_null("guardian"),
        )
    )
    if abandon and failed > 0:
        return GuardianPlan(results, writes.head(0), links.head(0), abandoned=True)
    return GuardianPlan(results, writes, links)
