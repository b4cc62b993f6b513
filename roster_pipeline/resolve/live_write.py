"""The staged state written as the live tables, in the caller's transaction; the batch recorded.

A first load (or a table of another tenant identity) is written whole from its stage. A day's
sync that compared the records (``keep_unchanged_batch``) rewrites only the records of
``changed_<table>``: the rows it replaced and those it wrote are kept for history and the
integrity counts (``REPLACED``, ``WRITTEN``); every other record stays as it is, with the batch
that last changed it.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from roster_pipeline import findings
from roster_pipeline.intake.batch import RawBatch
from roster_pipeline.resolve import batch_record, quiet_rows, sql_files
from roster_pipeline.resolve.apply_batch import live_columns, other_identity, same
from roster_pipeline.schemas.validate_file import ValidatedFile
from roster_pipeline.specs import LOAD_ORDER, SPECS, FileSpec, snake
from roster_pipeline.tables import LINKS_TABLE


@dataclass
class ApplyResult:
    """What was written: rows per table, per-file accounting, and the batch's findings."""

    table_rows: dict[str, int]
    files: pl.DataFrame
    findings: pl.DataFrame
    rewritten_changed_only: tuple[str, ...] = ()
    """Tables where only the records of ``changed_<table>`` were rewritten (of the links: those
    in ``quiet_rows.LINK_SCOPE``); the rows they replaced are in ``REPLACED`` and the rows
    written in ``WRITTEN`` (the links aside)."""


REPLACED = "replaced_{table}"
"""The live rows a run rewrote, whole, as they were before it (``_rid``: their row id)."""
WRITTEN = "written_{table}"
"""The rows a run wrote in their place, whole, in the live table's columns."""


BATCH_OF_ROW = "coalesce({}, CAST($batch AS VARCHAR))"
"""SQL: the batch_id a staged row is written with (a live one keeps its own)."""


def write_live(
    con: duckdb.DuckDBPyConnection,
    batch: RawBatch,
    validated: dict[str, ValidatedFile],
    *,
    tenant_id: str,
    application_id: str = "",
    status: str = "applied",
    write_tables: bool = True,
    keep_unchanged_batch: bool = False,
) -> ApplyResult:
    """Write the staged state as the live tables (if ``write_tables``) and record the batch.

    ``keep_unchanged_batch``: records in ``unchanged_<table>`` (from the change set) keep the
    batch_id of the batch that last changed them, and only ``changed_<table>`` is rewritten
    (and of the guardian links, those ``quiet_rows.scope_links`` worked out).
    """
    sql_files.run(con, "write_tables")
    table_rows: dict[str, int] = {}
    changed_only: list[str] = []
    for kind in LOAD_ORDER:
        spec = SPECS[kind]
        rows = sql_files.execute(con, f"SELECT count(*) FROM stage_{spec.table} WHERE _ok")[0][0]
        rows += quiet_rows.left_out(con, spec.table)
        if write_tables:
            identity = {"tenant": tenant_id, "app": application_id}
            live = live_columns(con, spec.table) is not None
            keep, batch_id = keep_unchanged_batch and live, batch.batch_id
            if keep and _write_changed(con, spec, identity, batch_id, rows):
                changed_only.append(spec.table)
            else:  # before a table's first load no record is unchanged: nothing to keep
                _write_all(con, spec, identity, batch_id, keep)
        table_rows[spec.table] = rows
    if write_tables:
        sql_files.run(
            con,
            "roster_links",
            params={"tenant": tenant_id, "app": application_id, "batch": batch.batch_id},
        )
        if keep_unchanged_batch and quiet_rows.links_scoped(con):
            changed_only.append(LINKS_TABLE)  # only the scope's links were worked out
    table_rows["student_guardians"] = sql_files.execute(
        con, "SELECT count(*) FROM student_guardians"
    )[0][0]
    all_findings = con.sql(
        "SELECT file, line, column_name, sourced_id, code, severity, message, value "
        "FROM batch_findings"
    ).pl()
    files = batch_record.file_accounting(con, batch, validated)
    batch_record.record_batch(con, batch, tenant_id, application_id, status, files, all_findings)
    return ApplyResult(table_rows, files, findings.concat([all_findings]), tuple(changed_only))


def _columns(spec: FileSpec, alias: str = "s") -> str:
    return ", ".join(f'{alias}."{snake(c)}"' for c in spec.columns)


def _write_all(
    con: duckdb.DuckDBPyConnection,
    spec: FileSpec,
    identity: dict[str, str],
    batch_id: str,
    keep: bool,
) -> None:
    """Rewrite one live table from the stage (``keep``: unchanged records keep their batch).

    The records the stage leaves out (``quiet_rows``) are written as they are, with their batch.
    """
    table = spec.table
    batch_of_row, kept, quiet = BATCH_OF_ROW.format("s.batch_id"), "", ""
    if keep:  # the unchanged compared, and those not compared (their live record's batch)
        batch_of_row = BATCH_OF_ROW.format("k.o_batch, l.batch_id, s.batch_id")
        kept = (
            f"LEFT JOIN unchanged_{table} k ON k.sourced_id = s.sourced_id "
            f"LEFT JOIN (SELECT sourced_id, batch_id FROM main.{table}) l "
            f"ON l.sourced_id = s.sourced_id AND {same('s')} "
        )
        if quiet_rows.left_out(con, table):
            quiet = (
                "UNION ALL SELECT CAST($tenant AS VARCHAR), CAST($app AS VARCHAR), l.batch_id, "
                f"{_columns(spec, 'l')}, l.extensions FROM main.{table} "
                f"{quiet_rows.LEFT_OUT.format(table=table)}"
            )
    sql_files.execute(
        con,
        f"CREATE OR REPLACE TABLE main.{table} AS "
        "SELECT CAST($tenant AS VARCHAR) AS tenant_id, CAST($app AS VARCHAR) AS application_id, "
        f"{batch_of_row} AS batch_id, {_columns(spec)}, s.extensions "
        f"FROM stage_{table} s {kept}WHERE s._ok {quiet}",
        {**identity, "batch": batch_id},
    )


def _write_changed(
    con: duckdb.DuckDBPyConnection,
    spec: FileSpec,
    identity: dict[str, str],
    batch_id: str,
    rows: int,
) -> bool:
    """Rewrite only the records that are not unchanged (a daily sync touches few of them).

    Needs the live table. Returns False (nothing written) when the whole table must be
    rewritten: its tenant identity differs from the run's.
    """
    table = spec.table
    if other_identity(con, table, identity):
        return False
    changed = f"(SELECT sourced_id FROM changed_{table})"
    replaced, written = REPLACED.format(table=table), WRITTEN.format(table=table)
    # the table is read once: the rows replaced are kept (history's ended versions), then
    # deleted by row id; the rows written are kept too (its started ones)
    sql_files.execute(
        con,
        f"CREATE OR REPLACE TEMP TABLE {replaced} AS SELECT rowid AS _rid, * "
        f"FROM main.{table} WHERE sourced_id IN {changed}",
    )
    sql_files.execute(con, f"DELETE FROM main.{table} WHERE rowid IN (SELECT _rid FROM {replaced})")
    sql_files.execute(
        con, f"CREATE OR REPLACE TEMP TABLE {written} AS SELECT * FROM main.{table} LIMIT 0"
    )
    sql_files.execute(
        con,
        f"INSERT INTO {written} BY NAME "
        "SELECT CAST($tenant AS VARCHAR) AS tenant_id, CAST($app AS VARCHAR) AS application_id, "
        f"{BATCH_OF_ROW.format('s.batch_id')} AS batch_id, {_columns(spec)}, s.extensions "
        f"FROM stage_{table} s WHERE s._ok AND s.sourced_id IN {changed}",
        {**identity, "batch": batch_id},
    )
    sql_files.execute(con, f"INSERT INTO main.{table} SELECT * FROM {written}")
    written = sql_files.execute(con, f"SELECT count(*) FROM main.{table}")[0][0]
    if written != rows:  # every live record has a staged row; if not, rewrite the whole table
        return False
    return True
