"""The failure policy: which sync outcomes are a successful run, and what each one says.

Every entry point (the assets, the districts' runs, the command line) asks this table, so a
held batch fails its run everywhere and an applied batch with rejected rows succeeds
everywhere, flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

APPLIED = "applied"
APPLIED_WITH_ERRORS = "applied with errors"
PREVIEWED = "previewed"
HELD = "held"
DISCARDED = "discarded"
REJECTED = "rejected"
REFUSED = "refused"


@dataclass(frozen=True)
class Verdict:
    """What a run's outcome means for the run."""

    ok: bool
    """The run succeeded (a Dagster run succeeds; the command line exits ``exit_code``)."""
    exit_code: int
    needs_people: bool
    """Someone should look at it (held, rejected, refused, rows rejected)."""


POLICY: dict[str, Verdict] = {
    APPLIED: Verdict(ok=True, exit_code=0, needs_people=False),
    APPLIED_WITH_ERRORS: Verdict(ok=True, exit_code=0, needs_people=True),
    PREVIEWED: Verdict(ok=True, exit_code=0, needs_people=False),
    DISCARDED: Verdict(ok=True, exit_code=0, needs_people=False),
    HELD: Verdict(ok=False, exit_code=1, needs_people=True),
    REJECTED: Verdict(ok=False, exit_code=1, needs_people=True),
    REFUSED: Verdict(ok=False, exit_code=2, needs_people=True),
}
"""Outcome -> verdict. ``applied with errors``: applied, some rows rejected by findings."""
