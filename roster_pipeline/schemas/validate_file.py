"""One raw file -> normalized, validated rows in table shape, with a finding per problem."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import polars as pl

from roster_pipeline import error_policy, findings
from roster_pipeline.intake.batch import FILES_AT_ONCE, RawBatch
from roster_pipeline.intake.read_file import RawFile
from roster_pipeline.normalize import values as v
from roster_pipeline.normalize.distinct import map_distinct
from roster_pipeline.normalize.emails import normalize_emails
from roster_pipeline.normalize.grades import normalize_grade_list
from roster_pipeline.normalize.languages import DEFAULT_LANGUAGE, normalize_language
from roster_pipeline.normalize.phones import normalize_phones
from roster_pipeline.normalize.roles import (
    ENROLLMENT_ROLES,
    USER_ROLES,
    normalize_relationship,
    normalize_role,
)
from roster_pipeline.privacy import mask_email_expr, mask_phone_expr
from roster_pipeline.schemas import row_ids
from roster_pipeline.specs import FILE_SPECS, RACE_FLAGS, snake

# Message templates per issue suffix: {column} (the header as the file spells it), {raw},
# {value}, {hint} and {consequence} (the error policy's: rejected or left blank) per row.
MESSAGES: dict[str, str] = {
    "VALUE_CASE": "{column} '{raw}' was read as '{value}' (values are case-sensitive).",
    "VALUE_INVALID": "{column} '{raw}' is not one of: {hint}; {consequence}.",
    "VALUE_EXTENDED": "{column} '{raw}' is not one of: {hint}; it was kept as '{value}' "
    "(OneRoster's form for a local value) and the row was applied.",
    "STATUS_INVALID": "{column} '{raw}' is not active or tobedeleted; it was read as 'active'.",
    "STATUS_MAPPED": "{column} '{raw}' (a OneRoster 1.0 status) was read as 'tobedeleted': the "
    "record is deactivated.",
    "DATE_INVALID": "{column} '{raw}' is not a date in a form that can be read (YYYY-MM-DD, "
    "YYYY-MM-DD HH:MM:SS, or ISO 8601 with a time and offset); {consequence}.",
    "ROLE_MAPPED": "{column} '{raw}' was read as '{value}'.",
    "ROLE_INVALID": "{column} '{raw}' is not a known role; use one of: {hint}. {Consequence}.",
    "GRADE_MAPPED": "{column} were mapped to grade codes: {hint}.",
    "GRADE_INVALID": "{column}: {hint} is not a grade code (IT, PR, PK, TK, KG, 01-13, PS, UG, "
    "Other); it was left out and the row was applied.",
    "EMAIL_INVALID": "{column} '{raw}' is not a valid address; {consequence}.",
    "SMS_INVALID": "{column} (mobile) '{raw}' is not a valid phone number; {consequence}.",
    "PHONE_INVALID": "{column} (home) '{raw}' is not a valid phone number; {consequence}.",
    "SMS_NOT_MOBILE": "{column} '{raw}' is a landline and cannot receive texts; it was kept, but "
    "put a mobile number in sms and the landline in phone.",
    "LANGUAGE_MAPPED": "{column} '{raw}' was read as '{value}'.",
    "LANGUAGE_INVALID": "{column} '{raw}' is not a language code or a known language name; "
    "English (en) will be used.",
    "RELATIONSHIP_INVALID": "{column} '{raw}' is not one of: {hint}; {consequence}.",
}
_ENUMERATION = ("VALUE_CASE", "VALUE_INVALID")
COLUMN_ISSUES: dict[str, tuple[str, ...]] = {
    "status": ("VALUE_CASE", "STATUS_MAPPED", "STATUS_INVALID"),
    "dateLastModified": ("DATE_INVALID",),
    "schoolYear": ("DATE_INVALID",),
    "email": ("EMAIL_INVALID",),
    "parentEmail": ("EMAIL_INVALID",),
    "studentEmail": ("EMAIL_INVALID",),
    "sms": ("SMS_INVALID", "SMS_NOT_MOBILE"),
    "phone": ("PHONE_INVALID",),
    "language": ("LANGUAGE_MAPPED", "LANGUAGE_INVALID"),
    "role": ("ROLE_MAPPED", "ROLE_INVALID"),
    "relationship": ("RELATIONSHIP_INVALID",),
    "grades": ("GRADE_MAPPED", "GRADE_INVALID"),
}
"""The issues each normalized column can report (dates, booleans, enumerations: see
``column_issues``); ``roster_pipeline.finding_codes`` is generated from them."""
FIRST_LINES = 5
"""Lines a grouped notice names (the count says how many rows it covers)."""
_MASK_RAW = {
    "email": "email",
    "parentEmail": "email",
    "studentEmail": "email",
    "sms": "phone",
    "phone": "phone",
}
_DATE_COLUMNS = ("beginDate", "endDate", "startDate", "birthDate")
_BOOLEAN_COLUMNS = ("enabledUser", "primary", *RACE_FLAGS)


@dataclass
class ValidatedFile:
    """A file's rows in table shape (snake_case), ``_line``, ``_file`` and ``_ok`` (no error)."""

    kind: str
    file: str
    frame: pl.DataFrame
    findings: pl.DataFrame
    rows_read: int
    usable: bool
    encoding: str = ""
    context: str | None = None
    """The raw file's context (see ``RawFile``): rows validated under it can be recognised."""
    hashes: pl.DataFrame | None = None
    """``_line``, ``h1``, ``h2`` of the rows in ``frame``."""
    known: pl.DataFrame | None = None
    """Rows recognised from an earlier batch (``_line``, ``h1``, ``h2``): validated then without
    a finding, so not again; ``frame`` holds only the others."""
    unsent: pl.DataFrame | None = None
    """``h1``, ``h2`` of that batch's rows no line sends again (with ``known``)."""
    known_status_given: int = 0
    """How many recognised rows give a status (the others' statuses are in ``frame``)."""


def _message(template: str, column: str, raw: pl.Expr, consequence: str) -> pl.Expr:
    return findings.render(
        template,
        {
            "column": pl.lit(column),
            "raw": raw,
            "value": pl.col("value"),
            "hint": pl.col("hint"),
            "consequence": pl.lit(consequence),
            "Consequence": pl.lit(consequence[:1].upper() + consequence[1:]),
        },
    )


def _outcome_findings(
    frame: pl.DataFrame, column: str, outcome: pl.DataFrame, raw_file: RawFile
) -> pl.DataFrame:
    """Findings for the rows whose normalization ``outcome`` (value, issue[, hint]) has an issue.

    Severity and consequence come from the error policy; notices (a value mapped with its
    meaning kept) are grouped: one finding per code and value, with a count and the first lines.
    """
    if "hint" not in outcome.columns:
        outcome = outcome.with_columns(hint=pl.lit(None, pl.String))
    joined = pl.concat(
        [frame.select("_line", "sourcedId", pl.col(column).alias("_raw")), outcome],
        how="horizontal",
    ).filter(pl.col("issue").is_not_null())
    if joined.is_empty():
        return findings.empty()
    kind, prefix, label = raw_file.kind, FILE_SPECS[raw_file.kind].prefix, raw_file.header(column)
    mask = _MASK_RAW.get(column)
    raw = pl.col("_raw")
    if mask == "email":
        raw = mask_email_expr(raw)
    elif mask == "phone":
        raw = mask_phone_expr(raw)
    parts = []
    for issue in joined["issue"].unique().to_list():
        subset = joined.filter(pl.col("issue") == issue)
        code = f"{prefix}_{issue}"
        policy = error_policy.column_policy(kind, column)
        message = _message(MESSAGES[issue], label, raw, policy.consequence)
        if issue in error_policy.NOTICES:
            subset, message = _grouped(subset, message)
        parts.append(
            subset.select(
                pl.lit(raw_file.file).alias("file"),
                pl.col("_line").alias("line"),
                pl.lit(column).alias("column_name"),
                pl.col("sourcedId").alias("sourced_id"),
                pl.lit(code).alias("code"),
                pl.lit(error_policy.severity(kind, column, issue)).alias("severity"),
                message.alias("message"),
                pl.col("_raw").cast(pl.String).alias("value"),
            )
        )
    return findings.concat(parts)


def _grouped(subset: pl.DataFrame, message: pl.Expr) -> tuple[pl.DataFrame, pl.Expr]:
    """One row per distinct raw value: the first line, no id, and the count in the message."""
    grouped = (
        subset.sort("_line")
        .group_by("_raw", maintain_order=True)
        .agg(
            pl.col("_line").first(),
            pl.col("value").first(),
            pl.col("hint").first(),
            pl.len().alias("_rows"),
            pl.col("_line").head(FIRST_LINES).cast(pl.String).str.join(", ").alias("_lines"),
        )
        .with_columns(pl.lit(None, pl.String).alias("sourcedId"))
    )
    counted = pl.concat_str(
        message,
        pl.when(pl.col("_rows") > 1)
        .then(
            pl.format(" ({} rows: lines {}", pl.col("_rows"), pl.col("_lines"))
            + pl.when(pl.col("_rows") > FIRST_LINES).then(pl.lit(", ...)")).otherwise(pl.lit(")"))
        )
        .otherwise(pl.lit("")),
    )
    return grouped, counted


def _normalizers(kind: str, region: str) -> dict[str, object]:
    """Column -> function(Series) -> outcome frame, for the columns of this kind."""
    spec = FILE_SPECS[kind]
    role_allowed = ENROLLMENT_ROLES if kind == "enrollments" else USER_ROLES
    enum_columns = {
        ("orgs", "type"): v.ORG_TYPES,
        ("academicSessions", "type"): v.SESSION_TYPES,
        ("classes", "classType"): v.CLASS_TYPES,
        ("roles", "roleType"): v.ROLE_TYPES,
        ("demographics", "sex"): v.SEXES,
    }
    table: dict[str, object] = {
        "status": v.statuses,
        "dateLastModified": v.timestamps,
        "schoolYear": lambda s: v.patterned(s, r"^\d{4}$"),
        "email": normalize_emails,
        "parentEmail": normalize_emails,
        "studentEmail": normalize_emails,
        "sms": lambda s: normalize_phones(s, mobile=True, region=region),
        "phone": lambda s: normalize_phones(s, mobile=False, region=region),
        "language": lambda s: map_distinct(s, normalize_language, pl.String()),
        "role": lambda s: map_distinct(s, lambda r: normalize_role(r, role_allowed), pl.String()),
        "relationship": lambda s: map_distinct(s, normalize_relationship, pl.String()),
    }
    if kind in ("users", "classes", "courses"):
        table["grades"] = lambda s: map_distinct(s, normalize_grade_list, pl.List(pl.String()))
    for column in _DATE_COLUMNS:
        table[column] = v.dates
    for column in _BOOLEAN_COLUMNS:
        table[column] = v.booleans
    for (k, column), allowed in enum_columns.items():
        if k == kind:
            extensible = (k, column) in error_policy.EXTENSIBLE_REQUIRED
            table[column] = lambda s, a=allowed, x=extensible: v.enumeration(
                s, a, extensible=x
            ).with_columns(hint=pl.lit(", ".join(a)))
    return {c: fn for c, fn in table.items() if c in spec.columns}


def column_issues(kind: str) -> dict[str, tuple[str, ...]]:
    """Every normalized column of ``kind`` and the issues (code suffixes) it can report."""
    issues = {}
    for column in _normalizers(kind, "US"):
        if column in _DATE_COLUMNS:
            issues[column] = ("DATE_INVALID",)
        elif column in COLUMN_ISSUES:
            issues[column] = COLUMN_ISSUES[column]
        elif (kind, column) in error_policy.EXTENSIBLE_REQUIRED:
            issues[column] = (*_ENUMERATION, "VALUE_EXTENDED")
        else:  # booleans and the other enumerations
            issues[column] = _ENUMERATION
    return issues


def validate_file(
    raw: RawFile, *, region: str = "US", scope_school: str | None = None
) -> ValidatedFile:
    """Normalize every column, validate, and mark each row ``_ok`` (no error finding)."""
    # pandera takes a third of a second to import: only when a file is validated (a re-send
    # whose result is carried over validates none)
    from roster_pipeline.schemas.structure import structure_findings

    spec = FILE_SPECS[raw.kind]
    found: list[pl.DataFrame] = [
        raw.findings,
        structure_findings(raw.frame, raw.kind, raw.file, raw.headers),
    ]
    frame = row_ids.synthesize_ids(raw.frame, raw.kind)
    normalized: dict[str, pl.Series] = {}
    for column, fn in _normalizers(raw.kind, region).items():
        outcome = fn(frame[column])  # type: ignore[operator]
        found.append(_outcome_findings(frame, column, outcome, raw))
        normalized[column] = outcome["value"].alias(column)
    if spec.unique_ids:
        found.append(row_ids.duplicate_ids(frame, spec.prefix, raw.file))
    if scope_school is not None:
        found.append(row_ids.out_of_scope(frame, raw.kind, scope_school, raw.file))
    frame = frame.with_columns(*normalized.values())
    if "language" in frame.columns:
        frame = frame.with_columns(pl.col("language").fill_null(DEFAULT_LANGUAGE))
    lists = [c for c in spec.list_columns if c in frame.columns and c != "grades"]
    frame = frame.with_columns(v.split_list(frame[c]).alias(c) for c in lists)
    all_found = findings.concat(found)
    bad_lines = findings.error_lines(all_found, raw.file)
    extensions = list(raw.extension_columns)
    ext = pl.struct(extensions).struct.json_encode() if extensions else pl.lit(None, pl.String)
    out = frame.select(
        pl.col("_line"),
        pl.lit(raw.file).alias("_file"),
        ((~pl.col("_line").is_in(bad_lines.implode())) & pl.lit(raw.usable)).alias("_ok"),
        *[pl.col(c).alias(snake(c)) for c in spec.columns],
        ext.alias("extensions"),
    )
    return ValidatedFile(
        raw.kind,
        raw.file,
        out,
        all_found,
        raw.rows_read,
        raw.usable,
        raw.encoding,
        context=raw.context,
        hashes=raw.hashes,
        known=raw.known,
        unsent=raw.unsent,
    )


@dataclass
class ValidatedBatch:
    """A batch's identity (without its raw frames) and its validated files."""

    batch: RawBatch
    files: dict[str, ValidatedFile]


def validate_batch(
    batch: RawBatch, *, region: str = "US", scope_school: str | None = None
) -> ValidatedBatch:
    """Validate every file of a batch, two files at a time (the largest first).

    Consumes the batch's raw frames: each is released as soon as its file is validated, so a
    large district never holds raw and validated copies of every file at once.
    """
    order = list(batch.raw)
    kinds = sorted(order, key=lambda kind: -batch.raw[kind].rows_read)
    with ThreadPoolExecutor(FILES_AT_ONCE) as pool:
        validating = {
            kind: pool.submit(
                validate_file, batch.raw.pop(kind), region=region, scope_school=scope_school
            )
            for kind in kinds
        }
    files = {kind: validating[kind].result() for kind in order}
    return ValidatedBatch(replace(batch, raw={}), files)
