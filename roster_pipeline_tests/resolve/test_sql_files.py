"""sql_files: statements from the .sql files, and frames handed to DuckDB without being kept."""

import sys

import duckdb
import pyarrow as pa

from roster_pipeline.resolve import sql_files


def test_a_table_read_once_is_read_whole_and_not_kept_by_the_connection():
    con = duckdb.connect()
    sql_files.execute(con, "BEGIN TRANSACTION")  # a run is one transaction
    table = pa.table({"sourced_id": [f"u{i:05}" for i in range(50_000)]}).combine_chunks()
    alone = sys.getrefcount(table)
    with sql_files.read_once(con, "incoming", table):
        sql_files.execute(con, "CREATE TEMP TABLE staged AS SELECT * FROM incoming")
    assert sql_files.execute(con, "SELECT count(*), min(sourced_id) FROM staged")[0] == (
        50_000,
        "u00000",
    )
    # in a transaction, duckdb 2.0's register keeps two references after unregister until the
    # transaction ends: a run's staged frames would stay in memory through the run
    assert sys.getrefcount(table) == alone
    con.register("plain", table)
    sql_files.execute(con, "CREATE TEMP TABLE again AS SELECT * FROM plain")
    con.unregister("plain")
    assert sys.getrefcount(table) > alone  # what read_once is for (remove once duckdb lets go)
