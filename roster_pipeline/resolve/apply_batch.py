"""Validated files + the live tables -> resolved roster tables, findings and batch records.

How each entity's rows are chosen (its "stage"):
- file present and usable, bulk: the file's rows replace the entity (for a school-level upload,
  replace that school's rows and keep the other schools');
- file present and usable, delta (manifest): the file's rows, plus live rows it does not name;
- file absent or unusable (e.g. a required column missing): the live rows are kept as they are.
So a missing or broken file never empties a table. And a row that is not applied (an error in it,
or in what it refers to) keeps its live version, if it has one. Everything is written in the
caller's transaction; the caller publishes only if this returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from roster_pipeline import findings
from roster_pipeline.intake.batch import RawBatch
from roster_pipeline.intake.read_file import RawFile
from roster_pipeline.resolve import references, sql_files
from roster_pipeline.schemas.validate_file import ValidatedFile, validate_file
from roster_pipeline.specs import LOAD_ORDER, SPECS, snake

ROSTER_TABLES = tuple(SPECS[k].table for k in LOAD_ORDER)


@dataclass
class ApplyResult:
    """What was written: rows per table, per-file accounting, and the batch's findings."""

    table_rows: dict[str, int]
    files: pl.DataFrame
    findings: pl.DataFrame


def empty_validated(kind: str) -> pl.DataFrame:
    """A zero-row frame in the validated shape of ``kind``."""
    spec = SPECS[kind]
    frame = pl.DataFrame(schema={"_line": pl.Int64, **{c: pl.String for c in spec.columns}})
    raw = RawFile(kind, f"{kind}.csv", frame, findings.empty(), 0, "", usable=False)
    return validate_file(raw).frame


def _live_columns(con: duckdb.DuckDBPyConnection, table: str) -> str | None:
    """The live table's columns (tenant_id aside) as a quoted SELECT list; None: no table yet."""
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return ", ".join(f'"{r[0]}"' for r in rows if r[0] != "tenant_id") or None


_UPLOAD_BATCHES = "SELECT batch_id FROM main.batches WHERE kind <> 'roster'"

# A school-level upload replaces only that school's rows; these say which live rows are its.
_IN_SCOPE = {
    "users": "list_contains(coalesce(org_sourced_ids, []), $scope)",
    "classes": "school_sourced_id = $scope",
    "enrollments": "school_sourced_id = $scope",
}


def _stage(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    validated: ValidatedFile | None,
    mode: str,
    batch: RawBatch,
) -> None:
    """Create ``stage_<table>`` for one entity (see the module docstring)."""
    table = SPECS[kind].table
    fresh = validated is not None and validated.usable
    frame = validated.frame if fresh else empty_validated(kind)
    con.register("incoming", frame.to_arrow())
    sql_files.execute(
        con,
        f"CREATE OR REPLACE TEMP TABLE stage_{table} AS "  # table from SPECS, not user data
        "SELECT *, CAST($batch_id AS VARCHAR) AS batch_id FROM incoming",
        {"batch_id": batch.batch_id},
    )
    con.unregister("incoming")
    cols = _live_columns(con, table)
    if cols is not None:
        keep = "true"
        params: dict[str, str] = {}
        if fresh and mode == "bulk" and batch.scope_school is None:
            keep = "false"
        elif fresh and mode == "bulk":
            keep = f"NOT coalesce({_IN_SCOPE.get(table, 'false')}, false)"
            params = {"scope": batch.scope_school} if table in _IN_SCOPE else {}
        # rows an upload wrote (guardian accounts) are not the roster's to replace
        keep = f"({keep}) OR batch_id IN ({_UPLOAD_BATCHES})"
        sql_files.execute(
            con,
            f"INSERT INTO stage_{table} BY NAME "
            f"SELECT NULL::BIGINT AS _line, 'live' AS _file, true AS _ok, {cols} "
            f"FROM main.{table} WHERE ({keep}) AND sourced_id NOT IN "
            f"(SELECT sourced_id FROM stage_{table} WHERE sourced_id IS NOT NULL)",
            params or None,
        )
    sql_files.execute(con, f"ALTER TABLE stage_{table} ADD COLUMN _row BIGINT")
    sql_files.execute(con, f"ALTER TABLE stage_{table} ADD COLUMN _valid BOOLEAN")
    sql_files.execute(con, f"ALTER TABLE stage_{table} ADD COLUMN _fallback BOOLEAN DEFAULT false")
    sql_files.execute(
        con, f"UPDATE stage_{table} SET _row = rowid, _valid = _ok, _fallback = false"
    )


def _resolve(con: duckdb.DuckDBPyConnection, manage_guardians: bool) -> None:
    """Resolve references from the validation outcome (again, if rows were brought back)."""
    for kind in LOAD_ORDER:
        sql_files.execute(con, f"UPDATE stage_{SPECS[kind].table} SET _ok = _valid")
    sql_files.execute(
        con, "CREATE OR REPLACE TEMP TABLE batch_findings AS SELECT * FROM validation_findings"
    )
    references.resolve_all(con, manage_guardians=manage_guardians)
    for kind in LOAD_ORDER:
        table = SPECS[kind].table
        sql_files.execute(
            con,
            f"DELETE FROM stage_{table} WHERE _fallback AND sourced_id IN "
            f"(SELECT sourced_id FROM stage_{table} WHERE _ok AND NOT _fallback)",
        )


def _keep_previous_versions(con: duckdb.DuckDBPyConnection) -> int:
    """A row not applied keeps its live version: bring those versions into the stage.

    Returns how many rows came back (0: the stage is final).
    """
    total = 0
    for kind in LOAD_ORDER:
        table = SPECS[kind].table
        cols = _live_columns(con, table)
        if cols is None:
            continue
        rejected = (
            f"SELECT sourced_id FROM stage_{table} WHERE sourced_id IS NOT NULL "
            "GROUP BY sourced_id HAVING NOT bool_or(_ok) AND NOT bool_or(_fallback)"
        )
        added = sql_files.execute(
            con,
            f"INSERT INTO stage_{table} BY NAME "
            f"SELECT NULL::BIGINT AS _line, 'live' AS _file, true AS _ok, true AS _valid, "
            f"true AS _fallback, {cols} "
            f"FROM main.{table} WHERE sourced_id IN ({rejected})",
        )[0][0]
        if added:
            sql_files.execute(con, f"UPDATE stage_{table} SET _row = rowid WHERE _row IS NULL")
        total += added
    return total


def _mode_conflicts(batch: RawBatch, validated: dict[str, ValidatedFile]) -> list[pl.DataFrame]:
    """Files the manifest calls bulk whose rows carry status (delta-style): a warning each."""
    out = []
    for kind, vf in validated.items():
        if batch.manifest.present and batch.manifest.mode(kind) == "bulk":
            n = vf.frame.filter(pl.col("status").is_not_null()).height
            if n:
                out.append(
                    findings.file_finding(
                        vf.file,
                        "MANIFEST_MODE_CONFLICT",
                        f"The manifest says bulk, but {n} rows carry a status (delta style); "
                        "the file was applied as bulk.",
                    )
                )
    return out


def apply_batch(
    con: duckdb.DuckDBPyConnection,
    batch: RawBatch,
    validated: dict[str, ValidatedFile],
    *,
    tenant_id: str,
    manage_guardians: bool = True,
) -> ApplyResult:
    """Resolve and write one batch into ``con`` (inside the caller's transaction).

    ``manage_guardians`` is the district setting "Allow sync to manage guardians": when on, the
    roster's agentSourcedIds make the roster's guardian links; when off they are ignored (and
    links the roster made earlier are removed): guardians come from guardians.csv uploads.
    """
    batch_findings = findings.concat(
        [
            batch.findings,
            *(v.findings for v in validated.values()),
            *_mode_conflicts(batch, validated),
        ]
    )
    con.register("incoming_findings", batch_findings.to_arrow())
    sql_files.execute(
        con, "CREATE OR REPLACE TEMP TABLE validation_findings AS SELECT * FROM incoming_findings"
    )
    con.unregister("incoming_findings")
    for kind in LOAD_ORDER:
        _stage(con, kind, validated.get(kind), batch.manifest.mode(kind), batch)
    _resolve(con, manage_guardians)
    for _ in LOAD_ORDER:  # each round can only bring back rows of one more level
        if not _keep_previous_versions(con):
            break
        _resolve(con, manage_guardians)
    sql_files.run(con, "write_tables")
    table_rows: dict[str, int] = {}
    for kind in LOAD_ORDER:
        spec = SPECS[kind]
        cols = ", ".join(f'"{snake(c)}"' for c in spec.columns if c not in spec.dropped)
        sql_files.execute(
            con,
            f"CREATE OR REPLACE TABLE main.{spec.table} AS "
            f"SELECT CAST($tenant AS VARCHAR) AS tenant_id, batch_id, {cols}, extensions "
            f"FROM stage_{spec.table} WHERE _ok ORDER BY sourced_id",
            {"tenant": tenant_id},
        )
        table_rows[spec.table] = sql_files.execute(con, f"SELECT count(*) FROM main.{spec.table}")[
            0
        ][0]
    sql_files.execute(con, "DELETE FROM student_guardians WHERE source = 'roster'")
    if manage_guardians:
        sql_files.execute(
            con,
            "INSERT INTO student_guardians SELECT $tenant, $batch, student, guardian, "
            "relationship, 'roster' FROM guardian_links WHERE rank <= $max",
            {"tenant": tenant_id, "batch": batch.batch_id, "max": references.MAX_GUARDIANS},
        )
    table_rows["student_guardians"] = con.execute(
        "SELECT count(*) FROM student_guardians"
    ).fetchall()[0][0]
    all_findings = con.sql(
        "SELECT file, line, column_name, sourced_id, code, severity, message FROM batch_findings"
    ).pl()
    files = _file_accounting(con, batch, validated)
    _record(con, batch, tenant_id, files, all_findings)
    return ApplyResult(table_rows, files, findings.concat([all_findings]))


def _file_accounting(
    con: duckdb.DuckDBPyConnection, batch: RawBatch, validated: dict[str, ValidatedFile]
) -> pl.DataFrame:
    """Rows read, applied and rejected per file: read = applied + rejected."""
    rows = []
    for kind, vf in validated.items():
        table = SPECS[kind].table
        applied = con.execute(
            f"SELECT count(*) FROM stage_{table} WHERE _ok AND _file <> 'live'"
        ).fetchall()[0][0]
        record = next(f for f in batch.files if f.kind == kind)
        rows.append(
            {
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
        )
    return pl.DataFrame(
        rows,
        schema={
            "file": pl.String,
            "kind": pl.String,
            "mode": pl.String,
            "size_bytes": pl.Int64,
            "sha256": pl.String,
            "encoding": pl.String,
            "rows_read": pl.Int64,
            "rows_applied": pl.Int64,
            "rows_rejected": pl.Int64,
        },
    )


def _record(
    con: duckdb.DuckDBPyConnection,
    batch: RawBatch,
    tenant_id: str,
    files: pl.DataFrame,
    all_findings: pl.DataFrame,
) -> None:
    """Append the batch, its files and its findings to the history tables (idempotent per batch)."""
    params = {"batch": batch.batch_id, "tenant": tenant_id}
    for table in ("findings", "batches", "batch_files"):
        sql_files.execute(
            con, f"DELETE FROM {table} WHERE batch_id = $batch", {"batch": batch.batch_id}
        )
    sql_files.execute(
        con,
        "INSERT INTO findings SELECT $batch, $tenant, file, line, column_name, sourced_id, code, "
        "severity, message FROM batch_findings",
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
    count = dict(zip(severities["severity"], severities["count"], strict=True))
    sql_files.execute(
        con,
        "INSERT INTO batches VALUES ($batch, $tenant, 'roster', $folder, $received, "
        "current_timestamp, $version, $manifest, $scope, 'applied', $read, $applied, $rejected, "
        "$errors, $warnings)",
        {
            **params,
            "folder": batch.folder,
            "received": batch.received_at,
            "version": batch.manifest.version,
            "manifest": batch.manifest.present,
            "scope": batch.scope_school or "district",
            "read": int(files["rows_read"].sum()),
            "applied": int(files["rows_applied"].sum()),
            "rejected": int(files["rows_rejected"].sum()),
            "errors": int(count.get(findings.ERROR, 0)),
            "warnings": int(count.get(findings.WARNING, 0)),
        },
    )
