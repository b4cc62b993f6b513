"""What a sync run did: its status, reasons, counts, files and findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import polars as pl

from roster_pipeline.sync import change_counts


@dataclass
class SyncOutcome:
    """What a run did."""

    run_id: str
    batch_id: str
    mode: str
    action: str
    status: str
    """previewed | applied | held | discarded | rejected (nothing of the batch can be applied:
    a refused archive, no usable roster file)."""
    reasons: list[str]
    counts: change_counts.ChangeCounts
    version: int
    """The live version after the run."""
    files: pl.DataFrame = field(default_factory=pl.DataFrame)
    """Per file: rows read, applied (in a preview or hold: to be applied) and rejected."""
    findings: pl.DataFrame = field(default_factory=pl.DataFrame)
    table_rows: dict[str, int] = field(default_factory=dict)
    """Rows per table after the run (in a preview or hold: as the plan would leave them)."""
    carried_from: str | None = None
    """A re-send: the batch whose result it carried over (nothing was read again)."""
    rows_recognised: int = 0
    """Rows the last batch validated without a finding, recognised and not read again."""
    records_not_compared: int = 0
    """Records known to stay as they are, not compared for the change set: recognised rows the
    memo knew to be their live records, and deactivated records no file lists (``quiet_rows``)."""

    @property
    def rows_rejected(self) -> int:
        """Input rows rejected by errors, over every file."""
        return int(self.files["rows_rejected"].sum()) if "rows_rejected" in self.files else 0


def utc_now() -> datetime:
    """Now, in UTC, as the naive timestamp DuckDB's tables hold."""
    return datetime.now(UTC).replace(tzinfo=None)
