"""Run the ``.sql`` files beside this module: fixed identifiers, values as parameters."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

SQL_DIR = Path(__file__).parent / "sql"
_IDENTIFIER = re.compile(r"^[a-z_]+$")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@cache
def load(name: str) -> list[str]:
    """The statements of ``sql/<name>.sql`` (split on semicolons at line ends)."""
    text = (SQL_DIR / f"{name}.sql").read_text()
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in re.split(r";\s*(?:\n|$)", code) if s.strip()]


def run(
    con: duckdb.DuckDBPyConnection,
    name: str,
    identifiers: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
) -> None:
    """Run one SQL file; ``identifiers`` fill ``{name}`` slots and must be plain snake_case names.

    ``{refs}`` may also be ``unnest(<column>)``. Values only ever travel as ``$name`` parameters.
    """
    identifiers = identifiers or {}
    for key, value in identifiers.items():
        bare = value.removeprefix("unnest(").removesuffix(")")
        if not _IDENTIFIER.match(bare):
            raise ValueError(f"not a safe SQL identifier for {{{key}}}: {value!r}")
    params = params or {}
    for statement in load(name):
        sql = _PLACEHOLDER.sub(lambda m: identifiers[m.group(1)], statement)
        used = {k: v for k, v in params.items() if f"${k}" in sql}
        execute(con, sql, used or None)


def execute(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> list[tuple]:
    """Run one statement and consume its result (DuckDB 2 requires it before the next)."""
    return con.execute(sql, params).fetchall() if params else con.execute(sql).fetchall()


@contextmanager
def read_once(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> Iterator[None]:
    """``table`` readable as ``name`` by one statement in the block, and not kept after it.

    In a transaction, duckdb 2.0's ``register`` keeps a reference to what it is given after
    ``unregister``, until the transaction ends: a frame registered whole would stay in memory
    through the run (a 1M-student district's staged files: 1.8 GiB). What is registered is a
    reader of the table's record batches instead, each let go once read; so one statement scans
    it, once.
    """
    batches = deque(table.to_batches())
    schema = table.schema
    del table

    def each() -> Iterator[pa.RecordBatch]:
        while batches:
            yield batches.popleft()

    con.register(name, pa.RecordBatchReader.from_batches(schema, each()))
    try:
        yield
    finally:
        con.unregister(name)
        batches.clear()
