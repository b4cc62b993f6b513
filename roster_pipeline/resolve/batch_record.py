"""The record of a batch: rows read, applied and rejected per file; its findings and status."""

from __future__ import annotations

import duckdb
import polars as pl

from roster_pipeline import findings
from roster_pipeline.intake.batch import RawBatch
from roster_pipeline.resolve import quiet_rows, sql_files
from roster_pipeline.schemas.validate_file import ValidatedFile
from roster_pipeline.specs import SPECS

FILE_ROWS = {
    "file": pl.String,
    "kind": pl.String,
    "mode": pl.String,
    "size_bytes": pl.Int64,
    "sha256": pl.String,
    "encoding": pl.String,
    "rows_read": pl.Int64,
    "rows_applied": pl.Int64,
    "rows_rejected": pl.Int64,
}


def _file_row(batch: RawBatch, kind: str, vf: ValidatedFile, applied: int) -> dict:
    record = next(f for f in batch.files if f.kind == kind)
    return {
        "file": vf.file,
        "kind": kind,
        "mode": batch.manifest.mode(kind),
        "size_bytes": record.size,
        "sha256": record.sha256,
        "encoding": vf.encoding,
        "rows_read": vf.rows_read,
        "rows_applied": applied,
        "rows_rejected": vf.rows_read - applied,
    }


def nothing_applied(batch: RawBatch, validated: dict[str, ValidatedFile]) -> pl.DataFrame:
    """The accounting of a batch that was refused whole: every row read is rejected."""
    rows = [_file_row(batch, kind, vf, 0) for kind, vf in validated.items()]
    return pl.DataFrame(rows, schema=FILE_ROWS)


def file_accounting(
    con: duckdb.DuckDBPyConnection,
    batch: RawBatch,
    validated: dict[str, ValidatedFile],
) -> pl.DataFrame:
    """Rows read, applied (or, in a preview, to be applied) and rejected per file.

    Quiet rows (``quiet_rows``) are applied: their live records are their next records.
    """
    rows = []
    for kind, vf in validated.items():
        table = SPECS[kind].table
        applied = con.execute(
            f"SELECT count(*) FROM stage_{table} WHERE _ok AND _file <> 'live'"
        ).fetchall()[0][0]
        applied += quiet_rows.count(con, table)  # applied as they are
        rows.append(_file_row(batch, kind, vf, applied))
    return pl.DataFrame(rows, schema=FILE_ROWS)


def record_batch(
    con: duckdb.DuckDBPyConnection,
    batch: RawBatch,
    tenant_id: str,
    application_id: str,
    status: str,
    files: pl.DataFrame,
    all_findings: pl.DataFrame,
) -> None:
    """Append the batch, its files and its findings to the history tables (idempotent per batch)."""
    params = {"batch": batch.batch_id, "tenant": tenant_id}
    for table in ("findings", "batch_files"):
        sql_files.execute(
            con, f"DELETE FROM {table} WHERE batch_id = $batch", {"batch": batch.batch_id}
        )
    # an applied batch's record stays when the same batch is previewed again
    sql_files.execute(
        con,
        "DELETE FROM batches WHERE batch_id = $batch AND status IN ('previewed', 'held', $status)",
        {"batch": batch.batch_id, "status": status},
    )
    sql_files.execute(
        con,
        "INSERT INTO findings BY NAME SELECT $batch AS batch_id, $tenant AS tenant_id, file, "
        "line, column_name, sourced_id, code, severity, message, value FROM batch_findings",
        params,
    )
    con.register("file_rows", files.to_arrow())
    sql_files.execute(
        con,
        "INSERT INTO batch_files SELECT $batch, $tenant, file, kind, mode, size_bytes, sha256, "
        "encoding, rows_read, rows_applied, rows_rejected FROM file_rows",
        params,
    )
    con.unregister("file_rows")
    severities = all_findings["severity"].value_counts()
    rows_read = int(files["rows_read"].sum()) if files.height else 0
    count = dict(zip(severities["severity"], severities["count"], strict=True))
    sql_files.execute(
        con,
        "INSERT INTO batches BY NAME SELECT $batch AS batch_id, $tenant AS tenant_id, "
        "$app AS application_id, 'roster' AS kind, $folder AS folder, $received AS received_at, "
        "current_timestamp AS applied_at, $version AS oneroster_version, "
        "$manifest AS manifest_present, $scope AS scope, $status AS status, $read AS rows_read, "
        "$applied AS rows_applied, $rejected AS rows_rejected, $errors AS errors, "
        "$warnings AS warnings",
        {
            **params,
            "app": application_id,
            "status": status,
            "folder": batch.folder,
            "received": batch.received_at,
            "version": batch.version,
            "manifest": batch.manifest.present,
            "scope": batch.scope_school or "district",
            "read": rows_read,
            "applied": int(files["rows_applied"].sum()) if files.height else 0,
            "rejected": int(files["rows_rejected"].sum()) if files.height else 0,
            "errors": int(count.get(findings.ERROR, 0)),
            "warnings": int(count.get(findings.WARNING, 0)),
        },
    )
