"""What a change set amounts to: its changes counted per entity, and its fingerprint.

``count`` reads ``change_set`` (``changes``) and ``entity_sizes`` (``changes.compute`` fills it);
``digest`` the change set alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from roster_pipeline.resolve import sql_files

# A created record has no other change (the others need a live record), so created records are
# counted as rows; only records with several rows (an update per field) need count(DISTINCT).
COUNTS = """
WITH created AS (
    SELECT entity, 'created' AS change, count(*) AS n
    FROM change_set WHERE applied AND change = 'created' GROUP BY entity
),
changed AS (
    SELECT entity, CASE WHEN applied THEN change ELSE 'skipped' END AS change,
           count(DISTINCT sourced_id) AS n
    FROM change_set WHERE NOT (applied AND change = 'created') GROUP BY ALL
),
touched AS (
    SELECT entity, count(DISTINCT sourced_id) AS n
    FROM change_set WHERE applied AND change <> 'created' GROUP BY entity
)
SELECT * FROM created
UNION ALL
SELECT * FROM changed
UNION ALL
SELECT s.entity, 'unchanged', s.next_rows - coalesce(c.n, 0) - coalesce(t.n, 0)
FROM entity_sizes s LEFT JOIN created c ON c.entity = s.entity
LEFT JOIN touched t ON t.entity = s.entity
WHERE s.entity <> 'guardian_links'
"""


@dataclass
class ChangeCounts:
    """Changes per entity: a long frame (entity, change, n) and the live sizes."""

    counts: pl.DataFrame
    sizes: pl.DataFrame

    def n(self, entity: str, change: str) -> int:
        """How many records of ``entity`` get ``change``."""
        hit = self.counts.filter((pl.col("entity") == entity) & (pl.col("change") == change))
        return int(hit["n"].sum())

    def totals(self) -> dict[str, int]:
        """Records per change over all entities."""
        by_change = self.counts.group_by("change").agg(pl.col("n").sum())
        return {c: int(n) for c, n in by_change.iter_rows()}


def count(con: duckdb.DuckDBPyConnection) -> ChangeCounts:
    """Count the change set per entity and change (skipped and unchanged included)."""
    counts = con.sql(COUNTS).pl().filter(pl.col("n") > 0).sort("entity", "change")
    sizes = con.sql("SELECT * FROM entity_sizes").pl()
    return ChangeCounts(counts.cast({"n": pl.Int64}), sizes)


def digest(con: duckdb.DuckDBPyConnection) -> str:
    """A fingerprint of the whole change set (order-free), to tell a plan from another."""
    row = sql_files.execute(
        con,
        "SELECT count(*), coalesce(bit_xor(hash(entity, sourced_id, change, field, old_value, "
        "new_value, applied)), 0) FROM change_set",
    )[0]
    return f"{row[0]}:{row[1]:016x}"
