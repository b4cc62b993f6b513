"""What an applied sync records of each table it changed, for the table's page in the UI.

Rows now, since which batch, what changed, its columns and a masked preview.
"""

import dagster as dg
import duckdb
import polars as pl

from roster_pipeline import findings
from roster_pipeline.defs import metadata
from roster_pipeline.defs.roster.tables import HISTORY_ASSETS, TABLE_ASSETS, TABLE_FILES
from roster_pipeline.sync.changes import LINKS
from roster_pipeline.sync.outcome import SyncOutcome
from roster_pipeline.tables import LINKS_TABLE
from roster_pipeline.warehouse import Warehouse

NOT_A_CHANGE = ("unchanged", "skipped")
COLUMNS_SQL = (
    "SELECT table_name, column_name, data_type FROM duckdb_columns() "
    "WHERE schema_name = 'main' AND database_name = current_database() "
    "ORDER BY table_name, column_index"
)


def changed_tables(outcome: SyncOutcome) -> list[str]:
    """The tables the outcome's change set changed (created, updated, deactivated, ...)."""
    counts = outcome.counts.counts
    changed = counts.filter(~pl.col("change").is_in(NOT_A_CHANGE) & (pl.col("n") > 0))
    entities = set(changed["entity"].to_list()) if changed.height else set()
    return [t for t in TABLE_ASSETS if t in entities or (t == LINKS_TABLE and LINKS in entities)]


def _schemas(con: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[str, dg.TableSchema]:
    rows = con.execute(COLUMNS_SQL).fetchall()
    columns: dict[str, list[dg.TableColumn]] = {}
    for table, column, kind in rows:
        if table in tables:
            columns.setdefault(table, []).append(dg.TableColumn(column, kind))
    return {t: dg.TableSchema(columns=c) for t, c in columns.items()}


def _previews(con: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[str, pl.DataFrame]:
    return {  # table names from the fixed list TABLE_ASSETS, not user data
        t: con.sql(f"SELECT * EXCLUDE (extensions) FROM {t} LIMIT 5").pl()
        if t != LINKS_TABLE
        else con.sql(f"SELECT * FROM {t} LIMIT 5").pl()
        for t in tables
    }


def table_materializations(
    outcome: SyncOutcome, store: Warehouse, *, applied: bool
) -> list[dg.AssetMaterialization]:
    """One materialization per table the run changed (an apply) and of findings and batches."""
    tables = changed_tables(outcome) if applied else []
    everything = [*tables, *HISTORY_ASSETS]
    with store.reader() as con:  # one read of the published file for the whole run
        schemas = _schemas(con, everything)
        previews = _previews(con, tables)
        rows = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in HISTORY_ASSETS
        }
    counts = outcome.counts.counts
    events = []
    for table in tables:
        entity = LINKS if table == LINKS_TABLE else table
        changes = counts.filter(pl.col("entity") == entity)
        stem = TABLE_FILES.get(table)
        found = (
            outcome.findings.filter(pl.col("file").str.starts_with(stem))
            if stem
            else findings.empty()
        )
        events.append(
            dg.AssetMaterialization(
                asset_key=table,
                metadata={
                    "dagster/row_count": outcome.table_rows.get(table, 0),
                    "dagster/column_schema": schemas.get(table, dg.TableSchema(columns=[])),
                    "dagster/table_name": f"main.{table}",
                    "batch_id": outcome.batch_id,
                    "live_version": outcome.version,
                    "changes": metadata.change_table(changes),
                    **{
                        f"changes_{c}": n
                        for c, n in changes.select("change", "n").iter_rows()
                        if c not in NOT_A_CHANGE
                    },
                    "findings": metadata.findings_table(found),
                    "preview": metadata.preview(previews[table]),
                    "duckdb_path": dg.MetadataValue.path(str(store.path)),
                },
            )
        )
    events.extend(
        dg.AssetMaterialization(
            asset_key=table,
            metadata={
                "dagster/row_count": rows[table],
                "dagster/column_schema": schemas.get(table, dg.TableSchema(columns=[])),
                "dagster/table_name": f"main.{table}",
                "batch_id": outcome.batch_id,
                "status": outcome.status,
                "findings": metadata.findings_table(outcome.findings),
                **metadata.counts(outcome.findings),
            },
        )
        for table in HISTORY_ASSETS
    )
    return events
