"""What a run left live, as the row memo says it of its rows (see ``row_memo``).

``live-<stamp>.parquet`` names the memo's rows that are not their live record in the live state
``stamp``, ``others-<stamp>.parquet`` the live records that are neither its rows nor
deactivated. ``not_as_read`` and ``others`` read both from an applied (or staged) run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import polars as pl

from roster_pipeline.resolve import sql_files
from roster_pipeline.schemas.validate_file import ValidatedBatch
from roster_pipeline.specs import LOAD_ORDER, SPECS

LIVE = "live"
"""``live-<stamp>.parquet``: the ids of the memo's rows that are not their live record."""
OTHERS = "others"
"""``others-<stamp>.parquet``: the ids of live records neither in the memo nor deactivated."""


@dataclass(frozen=True)
class LiveMark:
    """What a run left live, so the memo can say which of its rows are their live record."""

    stamp: str
    """The live state after the run (``history.version_stamp``)."""
    applied: bool
    """Whether the run wrote the live tables."""
    not_as_read: dict[str, pl.Series] = field(default_factory=dict)
    """Table -> ids of the batch's rows the run did not apply as read (``not_as_read``)."""
    others: dict[str, pl.Series] = field(default_factory=dict)
    """Table -> ids of the live records after the run that are neither deactivated nor rows
    the memo keeps of the batch (``others``)."""


def not_as_read(con: duckdb.DuckDBPyConnection, validated: ValidatedBatch) -> dict[str, pl.Series]:
    """Per table, the ids of the batch's rows whose live record is not the row as read.

    Read from the staged state of an applied run: rows not applied, rows a rule or a setting
    changed after they were staged (``_untouched`` off), and rows with a finding (a warning a
    rule gives an applied row, such as a student enrolled as a teacher, is given again each
    time the row is sent: such a row is read as it is, never left quiet).
    """
    out = {}
    for kind in validated.files:
        if kind not in LOAD_ORDER:
            continue
        table = SPECS[kind].table
        sent = "s._file <> 'live' AND s.sourced_id IS NOT NULL"
        # a union, not an OR with EXISTS: DuckDB plans that as a join of every staged row
        out[table] = con.sql(
            f"SELECT sourced_id FROM stage_{table} s WHERE {sent} "  # table: from SPECS
            "AND NOT (_ok AND coalesce(_untouched, false)) "
            f"UNION SELECT s.sourced_id FROM stage_{table} s SEMI JOIN batch_findings f "
            f"ON f.file = s._file AND f.line = s._line WHERE {sent}"
        ).pl()["sourced_id"]
    return out


def others(
    con: duckdb.DuckDBPyConnection, validated: ValidatedBatch, applied: bool
) -> dict[str, pl.Series]:
    """Per table, the live records after the run neither deactivated nor kept by the memo.

    The memo keeps the batch's clean rows: read without a validation finding, or recognised.
    Every other live record is in the stage (the records it leaves out are quiet rows, kept by
    the memo, or deactivated ones no file lists: ``quiet_rows``), and has a row there that is
    not clean: a live one, a fallback, one with a finding. ``applied``: the stage is the live
    state after the run; else the live tables are.
    """
    out = {}
    for kind in validated.files:
        if kind not in LOAD_ORDER:
            continue
        table = SPECS[kind].table
        if not applied and not _has_live_table(con, table):  # nothing applied yet: no record
            out[table] = pl.Series("sourced_id", [], pl.String)
            continue
        clean = (
            "c._file <> 'live' AND c._valid AND NOT EXISTS (SELECT 1 FROM validation_findings f "
            "WHERE f.file = c._file AND f.line = c._line)"
        )
        # rows not clean: live ones and fallbacks, rows validation rejected, rows with a finding
        live = " AND _ok AND status IS DISTINCT FROM 'tobedeleted'" if applied else ""
        odd = (
            f"SELECT sourced_id FROM stage_{table} c WHERE (_file = 'live' OR NOT _valid){live} "
            f"UNION SELECT sourced_id FROM stage_{table} c SEMI JOIN validation_findings f "
            f"ON f.file = c._file AND f.line = c._line WHERE true{live}"
        )
        sql_files.execute(
            con,
            f"CREATE OR REPLACE TEMP TABLE odd_ids AS SELECT sourced_id FROM ({odd}) "
            "WHERE sourced_id IS NOT NULL",
        )
        if not applied:  # of those, the live records not deactivated (each join on the few)
            sql_files.execute(
                con,
                "CREATE OR REPLACE TEMP TABLE odd_ids AS SELECT l.sourced_id "
                f"FROM main.{table} l SEMI JOIN odd_ids i ON i.sourced_id = l.sourced_id "
                "WHERE l.status IS DISTINCT FROM 'tobedeleted'",
            )
        out[table] = con.sql(
            "SELECT o.sourced_id FROM odd_ids o ANTI JOIN (SELECT c.sourced_id "
            f"FROM stage_{table} c SEMI JOIN odd_ids i ON i.sourced_id = c.sourced_id "
            f"WHERE {clean}) k ON k.sourced_id = o.sourced_id"
        ).pl()["sourced_id"]
    return out


def _has_live_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    query = (
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = ? AND NOT temporary"
    )
    return bool(sql_files.execute(con, query, [table])[0][0])
