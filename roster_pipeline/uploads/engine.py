"""What every upload kind (guardians.csv, relationships) shares: preview or apply one file.

A run reads and validates the file, plans it against the live tables (the kind's own rules),
writes the results workbook and CSV, records per-row results in DuckDB (preview and apply told
apart) and, in apply mode, writes exactly the plan into the live tables, all in one transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from roster_pipeline import findings
from roster_pipeline.intake.read_file import read_roster_file
from roster_pipeline.reports.results_file import write_results
from roster_pipeline.resolve import sql_files
from roster_pipeline.schemas.validate_file import ValidatedFile, validate_file
from roster_pipeline.specs import FileSpec
from roster_pipeline.sync import history
from roster_pipeline.warehouse import Warehouse

MODES = ("preview", "apply")
RESULT_SCHEMA = {
    "line": pl.Int64,
    "student_sourced_id": pl.String,
    "guardian_sourced_id": pl.String,
    "result": pl.String,
    "action": pl.String,
    "message": pl.String,
}


class UploadRefusedError(RuntimeError):
    """The district's settings or state do not allow this upload."""


@dataclass
class LiveState:
    """What an upload is checked against: the live users and guardian links."""

    users: pl.DataFrame
    """sourced_id, role, org_sourced_ids and the contact fields."""
    links: pl.DataFrame
    """student_sourced_id, guardian_sourced_id, relationship."""


@dataclass
class Plan:
    """Per-row results (RESULT_SCHEMA) and the frames the kind's apply SQL reads."""

    results: pl.DataFrame
    writes: dict[str, pl.DataFrame] = field(default_factory=dict)
    abandoned: bool = False


@dataclass(frozen=True)
class UploadKind:
    """One kind of upload."""

    spec: FileSpec
    results_table: str
    apply_sql: str
    batch_kind: str
    """Also the ``source`` of the guardian links it writes."""
    links_table: str
    """The plan's table of links to write (``upload_links.sql``)."""


@dataclass
class UploadOutcome:
    """What a preview or apply did."""

    batch_id: str
    mode: str
    results: pl.DataFrame
    abandoned: bool
    xlsx: Path
    csv: Path
    preview_check: str
    """Apply only: whether the results equal the preview's (or why not)."""
    file_check: dict[str, int] = field(default_factory=dict)
    """First pass: rows well formed or not."""

    def counts(self) -> dict[str, int]:
        """Rows by result and by action."""
        out = {f"result_{k}": v for k, v in self.results["result"].value_counts().iter_rows()}
        out |= {f"action_{k}": v for k, v in self.results["action"].value_counts().iter_rows()}
        return out


def fail_rows(frame: pl.DataFrame, condition: pl.Expr, message: pl.Expr | str) -> pl.DataFrame:
    """Record a failure ``reason`` on the rows where ``condition`` holds and none is set yet."""
    msg = pl.lit(message) if isinstance(message, str) else message
    return frame.with_columns(
        reason=pl.when(pl.col("reason").is_null() & condition.fill_null(False))
        .then(msg)
        .otherwise(pl.col("reason"))
    )


def validation_reasons(row_findings: pl.DataFrame, severity: str = findings.ERROR) -> pl.DataFrame:
    """``_line`` -> ``validation``: the messages of ``severity`` validation found on each row."""
    return (
        row_findings.filter((pl.col("severity") == severity) & pl.col("line").is_not_null())
        .group_by("line")
        .agg(pl.col("message").str.join(" "))
        .rename({"line": "_line", "message": "validation"})
    )


def unpadded_students(users: pl.DataFrame) -> pl.DataFrame:
    """``_key`` (a student id without leading zeros) -> ``zero_hint`` (the real id)."""
    return (
        users.filter(pl.col("role") == "student")
        .select(
            pl.col("sourced_id").str.strip_chars_start("0").alias("_key"),
            pl.col("sourced_id").alias("zero_hint"),
        )
        .unique("_key", keep="first")
    )


def upload_id(kind: UploadKind, path: Path) -> str:
    """The upload's batch id: kind, file name and a hash of its bytes."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    return f"{kind.spec.kind}-{path.stem[:40]}-{digest}"


def read_live(store: Warehouse) -> LiveState:
    """The live users and guardian links; refused before the first roster load."""
    with store.reader() as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "users" not in tables:
            raise UploadRefusedError("No roster has been loaded yet: load the roster first.")
        users = con.sql(
            "SELECT sourced_id, role, org_sourced_ids, given_name, family_name, email, sms, "
            "phone, language FROM users"
        ).pl()
        links = con.sql(  # the links in force: the limit counts active links only
            "SELECT student_sourced_id, guardian_sourced_id, relationship FROM student_guardians "
            "WHERE coalesce(status, 'active') = 'active'"
        ).pl()
    return LiveState(users, links)


def unread_rows(raw_findings: pl.DataFrame, parsed_lines: pl.Series) -> pl.DataFrame:
    """Rows intake could not read (malformed quotes, extra cells): FAILED with the reason."""
    lost = raw_findings.filter(
        (pl.col("severity") == findings.ERROR)
        & pl.col("line").is_not_null()
        & ~pl.col("line").is_in(parsed_lines.implode())
        & pl.col("code").str.starts_with("CSV_")
    )
    return lost.select(
        pl.col("line"),
        pl.lit(None, pl.String).alias("student_sourced_id"),
        pl.lit(None, pl.String).alias("guardian_sourced_id"),
        pl.lit("FAILED").alias("result"),
        pl.lit("SKIPPED").alias("action"),
        pl.col("message"),
    ).cast(RESULT_SCHEMA)


def compare_with_preview(
    store: Warehouse, kind: UploadKind, batch_id: str, results: pl.DataFrame
) -> str:
    """Whether an apply's results equal the preview of the same file, or why they cannot."""
    same_name = batch_id.rsplit("-", 1)[0] + "-%"
    table = kind.results_table  # from the fixed UploadKind, not user data
    with store.reader() as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if table not in tables:
            return "No preview was run for this file."
        earlier = con.sql(
            f"SELECT batch_id FROM {table} WHERE mode = 'preview' "
            "AND batch_id LIKE ? AND batch_id <> ? ORDER BY planned_at DESC LIMIT 1",
            params=[same_name, batch_id],
        ).fetchall()
        preview = con.sql(
            "SELECT line, student_sourced_id, guardian_sourced_id, result, action, message "
            f"FROM {table} WHERE batch_id = ? AND mode = 'preview' ORDER BY line",
            params=[batch_id],
        ).pl()
    if preview.is_empty() and earlier:
        return (
            f"The file changed since its preview ({earlier[0][0]}): preview the new file "
            "before applying it."
        )
    if preview.is_empty():
        return "No preview was run for this file."
    current = results.sort("line")
    if preview.cast(RESULT_SCHEMA).equals(current):
        return "The results equal the preview's."
    differ = current.join(preview, on="line", how="full", suffix="_preview").filter(
        pl.any_horizontal(
            pl.col(c).ne_missing(pl.col(f"{c}_preview"))
            for c in ("result", "action", "guardian_sourced_id", "message")
        )
    )
    lines = ", ".join(str(x) for x in differ["line"].head(10).to_list())
    return (
        f"{differ.height} rows differ from the preview (lines {lines}): the live roster changed "
        "since the preview."
    )


def run(
    kind: UploadKind,
    path: Path,
    store: Warehouse,
    planner: Callable[[ValidatedFile, LiveState], Plan],
    *,
    mode: str,
    results_dir: Path,
    tenant_id: str = "district",
    application_id: str = "",
    region: str = "US",
) -> UploadOutcome:
    """Preview (results only) or apply (live rows too) one uploaded file."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    batch_id = upload_id(kind, path)
    raw = read_roster_file(path, kind.spec)
    validated = validate_file(raw, region=region)
    plan = planner(validated, read_live(store))
    results = pl.concat([plan.results, unread_rows(raw.findings, validated.frame["_line"])])
    results = results.sort("line")
    file_check = {
        "rows_read": raw.rows_read,
        "rows_well_formed": int(validated.frame["_ok"].sum()),
    }
    file_check["rows_malformed"] = raw.rows_read - file_check["rows_well_formed"]
    preview_check = compare_with_preview(store, kind, batch_id, results) if mode == "apply" else ""
    note = "Upload abandoned: nothing was applied." if plan.abandoned else None
    if mode == "preview":
        note = "DRY RUN (preview): nothing was applied."
    xlsx, csv = write_results(
        raw.frame.drop("sourcedId"),
        results,
        results_dir,
        f"{batch_id}-{mode}",
        id_column="guardian_sourced_id",
        note=note,
    )
    with store.writer() as con:
        con.register("plan_results", results.to_arrow())
        for name, frame in plan.writes.items():
            con.register(name, frame.to_arrow())
        params = {"batch": batch_id, "tenant": tenant_id, "app": application_id, "mode": mode}
        sql_files.run(con, "upload_results", {"results_table": kind.results_table}, params)
        if mode == "apply" and not plan.abandoned:
            sql_files.run(con, kind.apply_sql, params=params)
            links = {"links": kind.links_table}
            sql_files.run(con, "upload_links", links, {**params, "source": kind.batch_kind})
        _record_batch(con, kind, batch_id, params, path, results, plan.abandoned)
        if mode == "apply" and not plan.abandoned:
            history.commit_version(con, batch_id, kind.batch_kind)
    return UploadOutcome(
        batch_id, mode, results, plan.abandoned, xlsx, csv, preview_check, file_check
    )


def _record_batch(
    con: duckdb.DuckDBPyConnection,
    kind: UploadKind,
    batch_id: str,
    params: dict[str, str],
    path: Path,
    results: pl.DataFrame,
    abandoned: bool,
) -> None:
    """Record the upload in ``batches`` (one row per upload and mode outcome)."""
    mode = params["mode"]
    status = "abandoned" if abandoned else ("applied" if mode == "apply" else "previewed")
    success = int((results["result"] == "SUCCESS").sum())
    sql_files.run(con, "write_tables")
    sql_files.execute(
        con,
        "DELETE FROM batches WHERE batch_id = $batch AND status IN ('previewed', $status)",
        {"batch": batch_id, "status": status},
    )
    sql_files.execute(
        con,
        "INSERT INTO batches (batch_id, tenant_id, application_id, kind, folder, received_at, "
        "applied_at, scope, status, rows_read, rows_applied, rows_rejected) VALUES ($batch, "
        "$tenant, $app, $kind, "
        "$folder, CAST(current_timestamp AS VARCHAR), current_timestamp, 'district', $status, "
        "$read, $applied, $rejected)",
        {
            "batch": batch_id,
            "tenant": params["tenant"],
            "app": params["app"],
            "kind": kind.batch_kind,
            "folder": str(path.resolve().parent),
            "status": status,
            "read": results.height,
            "applied": success if mode == "apply" and not abandoned else 0,
            "rejected": results.height - success,
        },
    )
