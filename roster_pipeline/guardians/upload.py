"""Run a guardians upload in preview or apply mode, as one plain function."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from roster_pipeline import findings
from roster_pipeline.guardians.plan import RESULT_SCHEMA, GuardianPlan, LiveState, plan_upload
from roster_pipeline.intake.read_file import read_roster_file
from roster_pipeline.reports.results_file import write_results
from roster_pipeline.resolve import sql_files
from roster_pipeline.schemas.validate_file import validate_file
from roster_pipeline.specs import GUARDIANS
from roster_pipeline.warehouse import Warehouse

MODES = ("preview", "apply")


class UploadRefusedError(RuntimeError):
    """The district's settings do not allow this upload."""


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

    def counts(self) -> dict[str, int]:
        """Rows by result and by action."""
        out = {f"result_{k}": v for k, v in self.results["result"].value_counts().iter_rows()}
        out |= {f"action_{k}": v for k, v in self.results["action"].value_counts().iter_rows()}
        return out


def upload_id(path: Path) -> str:
    """The upload's batch id: file name and a hash of its bytes."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    return f"guardians-{path.stem[:40]}-{digest}"


def read_live(store: Warehouse) -> LiveState:
    """The live users and guardian links (empty before the first roster load)."""
    with store.reader() as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "users" not in tables:
            raise UploadRefusedError(
                "No roster has been loaded yet: load the district's roster first."
            )
        users = con.sql(
            "SELECT sourced_id, role, org_sourced_ids, given_name, family_name, email, sms, "
            "phone, language FROM users"
        ).pl()
        links = con.sql(
            "SELECT student_sourced_id, guardian_sourced_id FROM student_guardians"
        ).pl()
    return LiveState(users, links)


def _unread_rows(raw_findings: pl.DataFrame, parsed_lines: pl.Series) -> pl.DataFrame:
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


def _compare_with_preview(store: Warehouse, batch_id: str, results: pl.DataFrame) -> str:
    """Whether an apply's results equal the preview of the same file, or why they cannot."""
    same_name = batch_id.rsplit("-", 1)[0] + "-%"
    with store.reader() as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "guardian_upload_results" not in tables:
            return "No preview was run for this file."
        earlier = con.sql(
            "SELECT batch_id FROM guardian_upload_results WHERE mode = 'preview' "
            "AND batch_id LIKE ? AND batch_id <> ? ORDER BY planned_at DESC LIMIT 1",
            params=[same_name, batch_id],
        ).fetchall()
        preview = con.sql(
            "SELECT line, student_sourced_id, guardian_sourced_id, result, action, message "
            "FROM guardian_upload_results WHERE batch_id = ? AND mode = 'preview' ORDER BY line",
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


def run_upload(
    path: Path,
    store: Warehouse,
    *,
    mode: str,
    results_dir: Path,
    tenant_id: str = "district",
    scope_school: str | None = None,
    abandon: bool = False,
    region: str = "US",
    sync_manages_guardians: bool = False,
) -> UploadOutcome:
    """Preview (writes results only) or apply (writes live rows too) one guardians.csv."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    if sync_manages_guardians:
        raise UploadRefusedError(
            "Guardians are managed by the roster sync (setting 'Allow sync to manage guardians' "
            "is on): turn it off to upload guardians.csv."
        )
    batch_id = upload_id(path)
    raw = read_roster_file(path, GUARDIANS)
    validated = validate_file(raw, region=region)
    live = read_live(store)
    plan: GuardianPlan = plan_upload(
        validated.frame.filter(pl.col("_line").is_not_null()),
        validated.findings,
        live,
        scope_school=scope_school,
        abandon=abandon,
    )
    results = pl.concat([plan.results, _unread_rows(raw.findings, validated.frame["_line"])]).sort(
        "line"
    )
    preview_check = _compare_with_preview(store, batch_id, results) if mode == "apply" else ""
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
        con.register("plan_guardians", plan.guardians.to_arrow())
        con.register("plan_links", plan.links.to_arrow())
        params = {"batch": batch_id, "tenant": tenant_id, "mode": mode}
        sql_files.run(con, "guardian_upload", params=params)
        if mode == "apply" and not plan.abandoned:
            sql_files.run(con, "guardian_apply", params=params)
        _record_batch(con, batch_id, tenant_id, path, mode, results, plan.abandoned)
    return UploadOutcome(batch_id, mode, results, plan.abandoned, xlsx, csv, preview_check)


def _record_batch(
    con: duckdb.DuckDBPyConnection,
    batch_id: str,
    tenant_id: str,
    path: Path,
    mode: str,
    results: pl.DataFrame,
    abandoned: bool,
) -> None:
    """Record the upload in ``batches`` (one row per upload and mode outcome)."""
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
        "INSERT INTO batches (batch_id, tenant_id, kind, folder, received_at, applied_at, scope, "
        "status, rows_read, rows_applied, rows_rejected) VALUES ($batch, $tenant, "
        "'guardians_upload', $folder, CAST(current_timestamp AS VARCHAR), current_timestamp, "
        "'district', $status, $read, $applied, $rejected)",
        {
            "batch": batch_id,
            "tenant": tenant_id,
            "folder": str(path.resolve().parent),
            "status": status,
            "read": results.height,
            "applied": success if mode == "apply" and not abandoned else 0,
            "rejected": results.height - success,
        },
    )
