"""School-year rollover: the change set of a new year, said as such, and approvable in advance.

A bulk batch that brings a new school-year session while classes of the old one leave trips the
deactivation safeguards by design. The hold then says what it looks like ("school-year
rollover: 2025-2026 ends, 4,120 classes archived; 2026-2027 starts, 4,302 classes created"),
and a district may approve rollovers in advance for a window of days ("Rollover window"):
within it, a batch whose only holds are change-set holds (never an empty or truncated file) is
applied, with the note in ``sync_runs.reason``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from roster_pipeline.resolve import sql_files
from roster_pipeline.sync.calendar import parse_periods, period_of
from roster_pipeline.sync.change_counts import ChangeCounts
from roster_pipeline.sync.changes import table_exists

NEW_YEARS = (
    "SELECT s.title FROM stage_academic_sessions s JOIN change_set c "
    "ON c.entity = 'academic_sessions' AND c.change = 'created' AND c.sourced_id = s.sourced_id "
    "WHERE s._ok AND s.type = 'schoolYear' ORDER BY s.start_date, s.title"
)
OLD_YEARS = (
    "SELECT title FROM main.academic_sessions WHERE type = 'schoolYear' AND status = 'active' "
    "ORDER BY start_date, title"
)


@dataclass(frozen=True)
class Rollover:
    """A change set shaped like a new school year."""

    ending: tuple[str, ...]
    starting: tuple[str, ...]
    archived: int
    created: int

    def describe(self) -> str:
        """The rollover in one sentence."""
        ending = ", ".join(self.ending) or "the current year"
        return (
            f"School-year rollover: {ending} ends, {self.archived:,} classes archived; "
            f"{', '.join(self.starting)} starts, {self.created:,} classes created."
        )


def detect(con: duckdb.DuckDBPyConnection, counts: ChangeCounts) -> Rollover | None:
    """The rollover this change set is, or None (no new school year, or no class leaving)."""
    archived = counts.n("classes", "archived")
    if not archived or not table_exists(con, "academic_sessions"):
        return None
    starting = tuple(t for (t,) in sql_files.execute(con, NEW_YEARS))
    if not starting:
        return None
    ending = tuple(t for (t,) in sql_files.execute(con, OLD_YEARS) if t not in starting)
    return Rollover(ending, starting, archived, counts.n("classes", "created"))


def approved_in_advance(window: str, day: date) -> str | None:
    """The period of ``window`` (the district's "Rollover window") that holds ``day``, as text."""
    period = period_of(day, parse_periods(window))
    return period.text if period else None
