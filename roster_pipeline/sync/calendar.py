"""Dates a district names in its settings: blackout periods and the rollover window.

A period is ``YYYY-MM-DD..YYYY-MM-DD`` (those dates) or ``MM-DD..MM-DD`` (every year; it may
run over New Year: ``12-20..01-03``); both ends are included. Several periods are separated by
commas.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_DAY = r"(?:\d{4}-)?\d{2}-\d{2}"
_PERIOD = re.compile(rf"^\s*({_DAY})\s*\.\.\s*({_DAY})\s*$")


@dataclass(frozen=True)
class Period:
    """An inclusive range of days, once or every year."""

    text: str
    start: str
    end: str

    def contains(self, day: date) -> bool:
        """Whether ``day`` falls in the period."""
        if len(self.start) == 10:  # dated
            return date.fromisoformat(self.start) <= day <= date.fromisoformat(self.end)
        month_day = day.strftime("%m-%d")
        if self.start <= self.end:
            return self.start <= month_day <= self.end
        return month_day >= self.start or month_day <= self.end  # over New Year


def parse_periods(text: str) -> tuple[Period, ...]:
    """``2026-06-20..2026-08-20, 12-20..01-03`` -> periods; a malformed one is a clear error."""
    periods = []
    for part in (p for p in text.split(",") if p.strip()):
        match = _PERIOD.match(part)
        if match is None or len(match[1]) != len(match[2]):
            raise ValueError(
                f"'{part.strip()}' is not a period: write YYYY-MM-DD..YYYY-MM-DD or MM-DD..MM-DD"
            )
        start, end = match[1], match[2]
        try:
            for value in (start, end):
                date.fromisoformat(value if len(value) == 10 else f"2000-{value}")
        except ValueError:
            raise ValueError(f"'{part.strip()}' holds a day that does not exist") from None
        if len(start) == 10 and start > end:
            raise ValueError(f"'{part.strip()}' ends before it starts")
        periods.append(Period(part.strip(), start, end))
    return tuple(periods)


def period_of(day: date, periods: tuple[Period, ...]) -> Period | None:
    """The first period that contains ``day``, or None."""
    return next((p for p in periods if p.contains(day)), None)
