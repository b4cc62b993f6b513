"""Validated files + the live tables -> the next roster state, then written as the live tables.

How each entity's next rows are chosen (its "stage"):
- file present and usable, bulk: the file's rows; a live record the file no longer lists is kept,
  deactivated (status ``tobedeleted``), never deleted (for a school-level upload, only that
  school's records; rows an upload wrote are not the roster's to deactivate);
- file present and usable, delta (manifest): the file's rows, plus live rows it does not name;
- file absent or unusable (e.g. a required column missing): the live rows are kept as they are.
So a missing or broken file never empties a table. And a row that is not applied (an error in it,
or in what it refers to) keeps its live version, if it has one. ``stage_batch`` builds the next
state in temp tables; ``live_write.write_live`` writes it, in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import replace

import duckdb
import polars as pl

from roster_pipeline import findings
from roster_pipeline.intake.batch import RawBatch
from roster_pipeline.intake.read_file import RawFile
from roster_pipeline.resolve import memo_views, quiet_rows, references, sql_files
from roster_pipeline.schemas.validate_file import ValidatedFile, validate_file
from roster_pipeline.specs import LOAD_ORDER, SPECS
from roster_pipeline.tables import LINKS_TABLE, ROSTER_TABLES

TENANT_COLUMNS = ("tenant_id", "application_id")


def empty_validated(kind: str) -> pl.DataFrame:
    """A zero-row frame in the validated shape of ``kind``."""
    spec = SPECS[kind]
    frame = pl.DataFrame(schema={"_line": pl.Int64, **{c: pl.String for c in spec.columns}})
    raw = RawFile(kind, f"{kind}.csv", frame, findings.empty(), 0, "", usable=False)
    return validate_file(raw).frame


def live_columns(con: duckdb.DuckDBPyConnection, table: str) -> str | None:
    """The live table's columns (tenant identity aside) as a quoted SELECT list; None: no table."""
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_catalog = current_database() AND table_schema = 'main' AND table_name = ? "
        "ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return ", ".join(f'"{r[0]}"' for r in rows if r[0] not in TENANT_COLUMNS) or None


def same(row: str = "") -> str:
    """SQL: the staged row (alias ``row``) is its live record, known without comparing it.

    It was recognised from the row memo, which says it is live as it stands (``live_marks.LIVE``),
    and nothing changed it since it was staged: every ``UPDATE`` of a staged row's values sets
    ``_untouched = false``.
    """
    at = f"{row}." if row else ""
    return f"coalesce({at}_untouched AND {at}_memo_live, false)"


SAME = same()

ARROW_VIEWS = pl.CompatLevel.newest()
"""Frames handed to DuckDB as Arrow string views: no copy (the default converts every string)."""

_UPLOAD_BATCHES = "SELECT batch_id FROM main.batches WHERE kind <> 'roster'"

THIS_BATCH = "NULL::VARCHAR"
"""A staged row's batch_id when it comes from the run's batch (the write fills it in): not the
same string on millions of rows of a stage that DuckDB holds uncompressed (the write fills it
in: ``live_write.BATCH_OF_ROW``)."""

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
    leave_quiet: bool,
) -> None:
    """Create ``stage_<table>`` for one entity (see the module docstring).

    With ``leave_quiet``, recognised rows known to be their live records stay out of it
    (``quiet_rows``).
    """
    table = SPECS[kind].table
    fresh = validated is not None and validated.usable
    frame = validated.frame if fresh else empty_validated(kind)
    rows, params = "(SELECT *, false AS _memo_live FROM incoming)", {}
    known = validated.known if fresh and validated is not None else None
    cols = live_columns(con, table)
    recognised, quiet = memo_views.recognised(table), False
    if known is not None and known.height > 0:  # rows recognised from an earlier batch
        # those that are their live records are left quiet
        quiet = cols is not None and leave_quiet and quiet_rows.any_quiet(con, recognised)
        staged = quiet_rows.STAGED if quiet else "true"
        rows = (
            f"({rows[1:-1]} UNION ALL BY NAME SELECT CAST($file AS VARCHAR) AS _file, "
            f"CAST($usable AS BOOLEAN) AS _ok, * FROM ({memo_views.known_rows_sql(table, staged)}))"
        )
        params |= {"file": validated.file, "usable": validated.usable}
    with sql_files.read_once(con, "incoming", frame.to_arrow(compat_level=ARROW_VIEWS)):
        sql_files.execute(
            con,
            f"CREATE OR REPLACE TEMP TABLE stage_{table} AS "  # table from SPECS, not user data
            "SELECT * REPLACE (coalesce(status, 'active') AS status), "
            f"{THIS_BATCH} AS batch_id, NULL::BIGINT AS _row, _ok AS _valid, "
            f"false AS _fallback, true AS _untouched FROM {rows}",
            params or None,
        )
    live = f"main.{table} l"
    if quiet:  # the live records the file may have left out are those the memo names
        quiet_rows.keep_out(con, table, recognised)
        live += f" SEMI JOIN {memo_views.memo_gone(table)} c ON c.sourced_id = l.sourced_id"
    if cols is not None:
        gone = "false"
        params: dict[str, str] = {}
        if fresh and mode == "bulk":  # live records the file no longer lists are to be deleted
            gone = "true"
            if batch.scope_school is not None:
                gone = f"coalesce({_IN_SCOPE.get(table, 'false')}, false)"
                params = {"scope": batch.scope_school} if table in _IN_SCOPE else {}
            # rows an upload wrote (guardian accounts) are not the roster's to deactivate
            gone += f" AND batch_id NOT IN ({_UPLOAD_BATCHES})"
        # found by id, then read whole by row id: every column of millions of live records
        # would be read to keep the few the file left out
        sql_files.execute(
            con,
            f"INSERT INTO stage_{table} BY NAME "
            "SELECT NULL::BIGINT AS _line, 'live' AS _file, true AS _ok, true AS _valid, "
            f"false AS _fallback, * REPLACE (CASE WHEN {gone} THEN 'tobedeleted' "
            f"ELSE status END AS status) FROM (SELECT {cols} FROM main.{table} WHERE rowid IN "
            f"(SELECT l.rowid FROM {live} ANTI JOIN stage_{table} s "
            "ON s.sourced_id = l.sourced_id))",
            params or None,
        )
    sql_files.execute(con, f"UPDATE stage_{table} SET _row = rowid")


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
        cols = live_columns(con, table)
        if cols is None:
            continue
        # ids none of whose rows is applied or a fallback: looked for among the rejected rows
        rejected = (
            f"SELECT DISTINCT sourced_id FROM stage_{table} r WHERE NOT _ok AND NOT _fallback "
            f"AND sourced_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM stage_{table} o "
            "WHERE o.sourced_id = r.sourced_id AND (o._ok OR o._fallback))"
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
            n = vf.frame.filter(pl.col("status").is_not_null()).height + vf.known_status_given
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


def stage_batch(
    con: duckdb.DuckDBPyConnection,
    batch: RawBatch,
    validated: dict[str, ValidatedFile],
    *,
    manage_guardians: bool = True,
    identity: dict[str, str] | None = None,
    release_frames: bool = False,
) -> None:
    """Build the next state in ``stage_<table>`` (rows with ``_ok``) and ``guardian_links``.

    ``manage_guardians`` is the district setting "Allow sync to manage guardians": when on, the
    roster's agentSourcedIds make the roster's guardian links; when off they are ignored (and
    links the roster made earlier are deactivated): guardians come from guardians.csv uploads.
    ``next_links`` holds the links of the next state the batch may change, with their status.
    ``identity`` (``tenant``, ``app``): the run's; a live table of another is rewritten whole,
    so no row is left quiet. ``release_frames``: ``validated``'s row hashes are let go first
    (the memo has set its rows aside), and each file's frame once staged (emptied), so a large
    district's rows are not held twice through the run.
    """
    sql_files.run(con, "write_tables")  # the live link table the stable limit reads
    batch_findings = findings.concat(
        [
            batch.findings,
            *(v.findings for v in validated.values()),
            *_mode_conflicts(batch, validated),
        ]
    )
    with sql_files.read_once(
        con, "incoming_findings", batch_findings.to_arrow(compat_level=ARROW_VIEWS)
    ):
        sql_files.execute(
            con,
            "CREATE OR REPLACE TEMP TABLE validation_findings AS SELECT * FROM incoming_findings",
        )
    quiet_rows.reset(con)
    leave_quiet = identity is None or not any(
        other_identity(con, t, identity) for t in (*ROSTER_TABLES, LINKS_TABLE)
    )
    if release_frames:  # the stage reads no row hashes: they go before the first file is staged
        for kind, vf in validated.items():
            if vf.hashes is not None:
                validated[kind] = replace(vf, hashes=vf.hashes.clear())
    for kind in LOAD_ORDER:
        _stage(con, kind, validated.get(kind), batch.manifest.mode(kind), batch, leave_quiet)
        vf = validated.get(kind)
        if release_frames and vf is not None:  # staged: the next file's rows take its place
            validated[kind] = replace(vf, frame=vf.frame.clear())
    quiet_rows.pull_dependents(con)
    quiet_rows.measure(con)
    quiet_rows.create_next_views(con)
    _resolve(con, manage_guardians)
    for _ in LOAD_ORDER:  # each round can only bring back rows of one more level
        if not _keep_previous_versions(con):
            break
        _resolve(con, manage_guardians)
    if not manage_guardians:  # the roster's links all end: every live link is worked out
        quiet_rows.scope_links(con, whole=True)
        sql_files.execute(
            con,
            "CREATE OR REPLACE TEMP TABLE guardian_links AS SELECT NULL::VARCHAR AS student, "
            "NULL::VARCHAR AS guardian, NULL::VARCHAR AS relationship, 0 AS rank LIMIT 0",
        )
    sql_files.run(con, "next_links", params={"max": references.MAX_GUARDIANS})


def other_identity(con: duckdb.DuckDBPyConnection, table: str, identity: dict[str, str]) -> bool:
    """Whether live ``table`` has a row (of the roster's) under another tenant identity."""
    if live_columns(con, table) is None:
        return False
    roster = "source = 'roster' AND " if table == LINKS_TABLE else ""
    return bool(
        sql_files.execute(
            con,
            f"SELECT count(*) FROM main.{table} WHERE {roster}(tenant_id IS DISTINCT FROM $tenant "
            "OR application_id IS DISTINCT FROM $app)",
            identity,
        )[0][0]
    )
