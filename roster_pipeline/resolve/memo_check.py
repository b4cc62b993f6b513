"""A file's recognised rows checked against the row memo in the run's connection.

Intake matched every line against the memo's hashes (``csv_records._split_known``): the lines
sending a memo row again (``known``) and the memo rows none sends (``unsent``). Here the memo's
parts as they are on disk are read once: the counts ``row_memo.RowMemo.verify`` decides on, and
the temp tables and views the stage reads (``memo_views``).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from roster_pipeline.resolve import memo_views as views
from roster_pipeline.resolve import sql_files
from roster_pipeline.resolve.memo_parts import no_hashes
from roster_pipeline.schemas.validate_file import ValidatedFile
from roster_pipeline.specs import SPECS
from roster_pipeline.warehouse import sql_path


def check(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    vf: ValidatedFile,
    parts: tuple[list[Path], list[Path]],
    said: list[Path] | None,
) -> tuple[int, int, int]:
    """Recognised rows found in the memo, those giving a status, those sharing an id.

    ``parts``: the memo's rows and gone parts; ``said``: its ``live-`` and ``others-``
    files of the live state, if it has them. Leaves ``memo_view``, ``recognised``, ``sent``
    and ``memo_gone`` for the stage.
    """
    table = SPECS[kind].table
    rows, gone = (", ".join(sql_path(p) for p in ps) for ps in parts)
    known = f"SELECT * FROM read_parquet([{rows}])"
    if gone:  # a row of an earlier batch the last one no longer had
        known += f" ANTI JOIN read_parquet([{gone}]) g USING (h1, h2)"
    same = "false"
    if said is not None:  # every row but those the live state has otherwise
        same = f"m.sourced_id NOT IN (SELECT sourced_id FROM read_parquet({sql_path(said[0])}))"
    sql_files.execute(con, f"CREATE OR REPLACE TEMP VIEW {views.memo_view(table)} AS {known}")
    with sql_files.read_once(con, views.KNOWN, vf.known.to_arrow()):
        sql_files.execute(
            con,
            f"CREATE OR REPLACE TEMP TABLE {views.sent(table)} AS "
            f"SELECT _line, h1, h2 FROM {views.KNOWN}",
        )
    unsent = vf.unsent if vf.unsent is not None else no_hashes()
    with sql_files.read_once(con, views.UNSENT, unsent.to_arrow()):
        # each memo row, and whether a line sends it again (intake matched them: the few
        # it did not are looked up here, not the millions it did)
        sql_files.execute(
            con,
            f"CREATE OR REPLACE TEMP TABLE {views.matched(table)} AS "
            f"SELECT m.h1, m.h2, m.sourced_id, {same} AS _memo_live, "
            "m.status IS NOT NULL AS _status_given, u.h1 IS NULL AS _sent "
            f"FROM {views.memo_view(table)} m LEFT JOIN {views.UNSENT} u USING (h1, h2)",
        )
    # the file's name beside each row in the view, not stored on millions of them
    sql_files.execute(
        con,
        f"CREATE OR REPLACE TEMP TABLE {views.file_of(table)} AS "
        "SELECT CAST($file AS VARCHAR) AS _file",
        {"file": vf.file},
    )
    sql_files.execute(
        con,
        f"CREATE OR REPLACE TEMP VIEW {views.recognised(table)} AS "
        f"SELECT m.* EXCLUDE (_sent), f._file FROM {views.matched(table)} m, "
        f"{views.file_of(table)} f WHERE m._sent",
    )
    if said is not None:
        sql_files.execute(
            con,
            f"CREATE OR REPLACE TEMP VIEW {views.memo_gone(table)} AS "
            f"SELECT sourced_id FROM {views.matched(table)} WHERE NOT _sent "
            f"UNION ALL SELECT sourced_id FROM read_parquet({sql_path(said[1])})",
        )
    counts = "SELECT count(*), count(*) FILTER (WHERE _status_given), {} FROM {}"
    if not (SPECS[kind].unique_ids and vf.frame.height):
        return sql_files.execute(con, counts.format("0", views.recognised(table)))[0]
    shared = "count(*) FILTER (WHERE sourced_id IN (SELECT sourced_id FROM read_ids))"
    with sql_files.read_once(con, "read_ids", vf.frame.select("sourced_id").to_arrow()):
        return sql_files.execute(con, counts.format(shared, views.recognised(table)))[0]
