"""Findings: one row per problem found in a batch, with a stable code and a severity.

A finding with severity ``error`` means its row is not applied; ``warning`` means the row is
applied (possibly with the offending value dropped); ``info`` is a note about the file.
Row-level codes are ``<FILE PREFIX>_<SUFFIX>`` (``USR_EMAIL_INVALID``); file-level codes have
no prefix (``FILE_EMPTY``).
"""

from __future__ import annotations

import re

import polars as pl

ERROR = "error"
WARNING = "warning"
INFO = "info"

FINDING_SCHEMA: dict[str, pl.DataType] = {
    "file": pl.String(),
    "line": pl.Int64(),
    "column_name": pl.String(),
    "sourced_id": pl.String(),
    "code": pl.String(),
    "severity": pl.String(),
    "message": pl.String(),
    "value": pl.String(),
}
"""``value``: the value as the file sent it, where a finding is about one (unmasked: it goes to
the findings table only, never to logs, run metadata or workbooks)."""
PUBLIC_COLUMNS = ("file", "line", "column_name", "sourced_id", "code", "severity", "message")
"""The columns shown outside the DuckDB file (metadata, workbooks): ``value`` left out."""

# Suffixes of row-level codes, prefixed per file (USR_, ENR_, ...), with their severity.
ROW_SUFFIXES: dict[str, str] = {
    "REQUIRED_MISSING": ERROR,
    "ID_INVALID": ERROR,
    "ID_DUPLICATE": ERROR,
    "ID_SCIENTIFIC_NOTATION": ERROR,
    "VALUE_INVALID": WARNING,
    "VALUE_CASE": INFO,
    "VALUE_EXTENDED": WARNING,
    "STATUS_INVALID": WARNING,
    "STATUS_MAPPED": WARNING,
    "GUARDIAN_UNREACHABLE": WARNING,
    "DATE_INVALID": WARNING,
    "ROLE_MAPPED": INFO,
    "ROLE_INVALID": ERROR,
    "GRADE_MAPPED": INFO,
    "GRADE_INVALID": WARNING,
    "EMAIL_INVALID": WARNING,
    "PHONE_INVALID": WARNING,
    "SMS_INVALID": WARNING,
    "SMS_NOT_MOBILE": WARNING,
    "LANGUAGE_MAPPED": INFO,
    "LANGUAGE_INVALID": WARNING,
    "RELATIONSHIP_INVALID": ERROR,
    "OUT_OF_SCOPE": ERROR,
    "TOO_MANY_GUARDIANS": WARNING,
    "AGENT_NOT_GUARDIAN": WARNING,
    "SCHOOL_MISMATCH": WARNING,
    "CLASS_ARCHIVED": WARNING,
    "USER_INACTIVE": WARNING,
    "SCHOOL_NOT_SCHOOL": WARNING,
    "ROLE_MISMATCH": WARNING,
    "ROLE_MISSING": ERROR,
    "ORG_MISSING": ERROR,
}

# Reference codes: <PREFIX>_<TARGET>_UNKNOWN / _LEADING_ZEROS / _REJECTED; severity per reference.
REFERENCE_OUTCOMES = ("UNKNOWN", "LEADING_ZEROS", "REJECTED")

# Batch- and archive-level codes, as names grep finds.
ARCHIVE_UNREADABLE = "ARCHIVE_UNREADABLE"
ARCHIVE_PATH_UNSAFE = "ARCHIVE_PATH_UNSAFE"
ARCHIVE_SYMLINK = "ARCHIVE_SYMLINK"
ARCHIVE_ENCRYPTED = "ARCHIVE_ENCRYPTED"
ARCHIVE_NESTED = "ARCHIVE_NESTED"
ARCHIVE_TOO_LARGE = "ARCHIVE_TOO_LARGE"
ARCHIVE_LAYOUT = "ARCHIVE_LAYOUT"
BATCH_NO_ROSTER = "BATCH_NO_ROSTER"
FILE_SECRET_DROPPED = "FILE_SECRET_DROPPED"
FILE_ONEROSTER_1_0 = "FILE_ONEROSTER_1_0"

FILE_CODES: dict[str, str] = {
    ARCHIVE_UNREADABLE: ERROR,
    ARCHIVE_PATH_UNSAFE: ERROR,
    ARCHIVE_SYMLINK: ERROR,
    ARCHIVE_ENCRYPTED: ERROR,
    ARCHIVE_NESTED: ERROR,
    ARCHIVE_TOO_LARGE: ERROR,
    ARCHIVE_LAYOUT: ERROR,
    BATCH_NO_ROSTER: ERROR,
    FILE_SECRET_DROPPED: INFO,
    FILE_ONEROSTER_1_0: INFO,
    "FILE_EMPTY": ERROR,
    "FILE_NOT_CSV": ERROR,
    "FILE_NO_ROWS": WARNING,
    "FILE_COLUMN_MISSING": ERROR,
    "FILE_TOO_WIDE": ERROR,
    "FILE_HEADER_DUPLICATE": WARNING,
    "FILE_ENCODING_CP1252": WARNING,
    "FILE_ENCODING_UTF16": WARNING,
    "FILE_NUL_BYTES": WARNING,
    "FILE_UNKNOWN": INFO,
    "FILE_NOT_LOADED": INFO,
    "FILE_UNREADABLE": ERROR,
    "CSV_RAGGED_ROW": WARNING,
    "CSV_TOO_MANY_FIELDS": ERROR,
    "CSV_UNBALANCED_QUOTE": ERROR,
    "CSV_MALFORMED_QUOTES": ERROR,
    "MANIFEST_MISSING": INFO,
    "MANIFEST_KEY_UNKNOWN": WARNING,
    "MANIFEST_KEY_MISSING": WARNING,
    "MANIFEST_VALUE_INVALID": WARNING,
    "MANIFEST_FILE_MISSING": ERROR,
    "MANIFEST_FILE_UNDECLARED": WARNING,
    "MANIFEST_MODE_CONFLICT": WARNING,
    "MANIFEST_VERSION_INVALID": WARNING,
}


def severity_of(code: str) -> str:
    """Severity of a stable finding code."""
    if code in FILE_CODES:
        return FILE_CODES[code]
    suffix = code.split("_", 1)[1] if "_" in code else code
    return ROW_SUFFIXES.get(suffix, ERROR)


def empty() -> pl.DataFrame:
    """An empty findings frame with the canonical schema."""
    return pl.DataFrame(schema=FINDING_SCHEMA)


def file_finding(
    file: str,
    code: str,
    message: str,
    line: int | None = None,
    column_name: str | None = None,
) -> pl.DataFrame:
    """One file-level finding as a frame."""
    return pl.DataFrame(
        [
            {
                "file": file,
                "line": line,
                "column_name": column_name,
                "sourced_id": None,
                "code": code,
                "severity": severity_of(code),
                "message": message,
                "value": None,
            }
        ],
        schema=FINDING_SCHEMA,
    )


def row_findings(
    rows: pl.DataFrame,
    mask: pl.Expr,
    *,
    file: str,
    column_name: str | None,
    code: str,
    message: pl.Expr | str,
) -> pl.DataFrame:
    """Findings for the rows of ``rows`` (with ``_line`` and ``sourcedId``) where ``mask`` holds.

    ``message`` is a polars expression evaluated per row, or a fixed string.
    """
    msg = pl.lit(message) if isinstance(message, str) else message
    sid = pl.col("sourcedId") if "sourcedId" in rows.columns else pl.lit(None, pl.String)
    return (
        rows.lazy()
        .filter(mask)
        .select(
            pl.lit(file).alias("file"),
            pl.col("_line").cast(pl.Int64).alias("line"),
            pl.lit(column_name, pl.String).alias("column_name"),
            sid.cast(pl.String).alias("sourced_id"),
            pl.lit(code).alias("code"),
            pl.lit(severity_of(code)).alias("severity"),
            msg.cast(pl.String).alias("message"),
            pl.lit(None, pl.String).alias("value"),
        )
        .collect()
    )


def concat(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """Concatenate findings frames (possibly none) into one."""
    frames = [f for f in frames if f.height]
    if not frames:
        return empty()
    return pl.concat(
        [
            f.with_columns(
                pl.lit(None, pl.String).alias(c) for c in FINDING_SCHEMA if c not in f.columns
            )
            .select(list(FINDING_SCHEMA))
            .cast(FINDING_SCHEMA)
            for f in frames
        ]
    )


def error_lines(findings: pl.DataFrame, file: str) -> pl.Series:
    """Lines of ``file`` that carry at least one error finding."""
    return (
        findings.filter((pl.col("file") == file) & (pl.col("severity") == ERROR))
        .get_column("line")
        .drop_nulls()
        .unique()
    )


def counts_by_code(findings: pl.DataFrame) -> dict[str, int]:
    """Finding counts per code, most frequent first."""
    if findings.is_empty():
        return {}
    counts = findings.group_by("code").len().sort(["len", "code"], descending=[True, False])
    return dict(zip(counts["code"].to_list(), counts["len"].to_list(), strict=True))


def counts_by_severity(findings: pl.DataFrame) -> dict[str, int]:
    """Finding counts per severity (only the severities that occur)."""
    if findings.is_empty():
        return {}
    return {s: int(n) for s, n in findings.group_by("severity").len().iter_rows()}


def render(template: str, values: dict[str, pl.Expr]) -> pl.Expr:
    """A per-row message: ``{name}`` placeholders in ``template`` filled from expressions."""
    pieces: list[pl.Expr] = []
    for i, part in enumerate(re.split(r"\{(\w+)\}", template)):
        if i % 2 == 0:
            if part:
                pieces.append(pl.lit(part))
        else:
            pieces.append(values[part].cast(pl.String).fill_null(""))
    return pl.concat_str(pieces) if pieces else pl.lit("")
