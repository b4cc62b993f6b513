"""Every sourcedId reference between roster tables, resolved in DuckDB in dependency order."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from roster_pipeline.resolve import quiet_rows, sql_files

MAX_GUARDIANS = 6


@dataclass(frozen=True)
class Reference:
    """``source.column`` must name a ``target`` row that is applied."""

    source: str
    column: str
    target: str
    code: str
    """Finding-code prefix; the outcome (UNKNOWN, LEADING_ZEROS, REJECTED) is appended."""
    label: str
    """The column as the file calls it."""
    target_label: str
    blocking: bool
    """True: the source row is not applied (error). False: the reference is dropped (warning)."""
    is_list: bool = False


def _ref(
    source: str, column: str, target: str, code: str, label: str, what: str, **kw
) -> Reference:
    return Reference(source, column, target, code, label, what, **kw)


ORG, SESSION = "organisation (orgs.csv)", "academic session (academicSessions.csv)"
ORGS = (
    _ref("orgs", "parent_sourced_id", "orgs", "ORG_PARENT", "parentSourcedId", ORG, blocking=False),
)
SESSIONS = (
    _ref(
        "academic_sessions",
        "parent_sourced_id",
        "academic_sessions",
        "SES_PARENT",
        "parentSourcedId",
        SESSION,
        blocking=False,
    ),
)
COURSES = (
    _ref(
        "courses",
        "school_year_sourced_id",
        "academic_sessions",
        "CRS_SCHOOL_YEAR",
        "schoolYearSourcedId",
        SESSION,
        blocking=False,
    ),
    _ref("courses", "org_sourced_id", "orgs", "CRS_ORG", "orgSourcedId", ORG, blocking=False),
)
CLASSES = (
    _ref(
        "classes", "school_sourced_id", "orgs", "CLS_SCHOOL", "schoolSourcedId", ORG, blocking=True
    ),
    _ref(
        "classes",
        "course_sourced_id",
        "courses",
        "CLS_COURSE",
        "courseSourcedId",
        "course (courses.csv)",
        blocking=False,
    ),
    _ref(
        "classes",
        "term_sourced_ids",
        "academic_sessions",
        "CLS_TERM",
        "termSourcedIds",
        SESSION,
        blocking=False,
        is_list=True,
    ),
)
USER_ORGS = (
    _ref(
        "users",
        "org_sourced_ids",
        "orgs",
        "USR_ORG",
        "orgSourcedIds",
        ORG,
        blocking=False,
        is_list=True,
    ),
    _ref(
        "users",
        "primary_org_sourced_id",
        "orgs",
        "USR_PRIMARY_ORG",
        "primaryOrgSourcedId",
        ORG,
        blocking=False,
    ),
)
USER = "user (users.csv)"
USER_AGENTS = (
    _ref(
        "users",
        "agent_sourced_ids",
        "users",
        "USR_AGENT",
        "agentSourcedIds",
        USER,
        blocking=False,
        is_list=True,
    ),
)
ROLES = (
    _ref(
        "user_roles", "user_sourced_id", "users", "ROL_USER", "userSourcedId", USER, blocking=True
    ),
    _ref("user_roles", "org_sourced_id", "orgs", "ROL_ORG", "orgSourcedId", ORG, blocking=True),
)
ENROLLMENT_MEMBERS = (
    _ref(
        "enrollments",
        "class_sourced_id",
        "classes",
        "ENR_CLASS",
        "classSourcedId",
        "class (classes.csv)",
        blocking=True,
    ),
    _ref(
        "enrollments", "user_sourced_id", "users", "ENR_USER", "userSourcedId", USER, blocking=True
    ),
)
ENROLLMENT_SCHOOL = (
    _ref(
        "enrollments",
        "school_sourced_id",
        "orgs",
        "ENR_SCHOOL",
        "schoolSourcedId",
        ORG,
        blocking=True,
    ),
)
DEMOGRAPHICS = (
    _ref("demographics", "sourced_id", "users", "DEM_USER", "sourcedId", USER, blocking=True),
)


def check(con: duckdb.DuckDBPyConnection, ref: Reference) -> None:
    """Resolve one reference: findings for each failure, then reject rows or drop the value."""
    refs = f"unnest({ref.column})" if ref.is_list else ref.column
    ids = {"source": ref.source, "target": ref.target, "refs": refs, "column": ref.column}
    sql_files.run(con, "check_reference", ids)
    consequence = (
        "The row was not applied."
        if ref.blocking
        else "The reference was left out; the row was applied."
    )
    sql_files.run(
        con,
        "reference_findings",
        params={
            "code_prefix": ref.code,
            "label": ref.label,
            "target_label": ref.target_label,
            "consequence": consequence,
            "severity": "error" if ref.blocking else "warning",
        },
    )
    if ref.blocking:
        sql_files.run(con, "reject_rows", ids)
    elif ref.is_list:
        sql_files.run(con, "drop_list_references", ids)
    else:
        sql_files.run(con, "drop_single_reference", ids)


def resolve_all(con: duckdb.DuckDBPyConnection, *, manage_guardians: bool = True) -> None:
    """Resolve every reference of the ``stage_*`` rows, in dependency order.

    Referenced records are looked up in ``next_*`` (``quiet_rows.create_next_views``). With
    ``manage_guardians`` off, agentSourcedIds are ignored: guardian links come from uploads.
    """
    for ref in (*ORGS, *SESSIONS, *COURSES, *CLASSES):
        check(con, ref)
    # (only where a roles file was sent: else there is nothing to take, and no user to read)
    if sql_files.execute(con, "SELECT EXISTS (SELECT 1 FROM next_user_roles)")[0][0]:
        sql_files.run(con, "derive_user_roles")
    sql_files.run(con, "primary_org")
    for ref in USER_ORGS:
        check(con, ref)
    sql_files.run(con, "users_required")
    for ref in (*(USER_AGENTS if manage_guardians else ()), *ROLES, *ENROLLMENT_MEMBERS):
        check(con, ref)
    sql_files.run(con, "enrollment_school")
    for ref in (*ENROLLMENT_SCHOOL, *DEMOGRAPHICS):
        check(con, ref)
    sql_files.run(con, "consistency_warnings")
    if manage_guardians:
        quiet_rows.scope_links(con)
        sql_files.run(con, "student_guardians", params={"max_guardians": MAX_GUARDIANS})
