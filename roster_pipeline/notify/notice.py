"""What people are told of a sync that needs them: counts, reasons, the batch and links.

A notice holds no value from the files: no name, e-mail or phone of a student or guardian,
only the district, the batch, the verdict, counts and the safeguards' reasons (themselves
counts), with any e-mail address in free text masked.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from roster_pipeline import findings
from roster_pipeline.privacy import mask_text
from roster_pipeline.runner.sync_runner import SyncRun
from roster_pipeline.sync.changes import CHANGES

FAILED = "failed"
"""The verdict of a run that ended in an error before the sync could judge its batch."""
ERROR_TEXT_LIMIT = 400
"""Characters of an unexpected error's message kept in a notice."""

_HEADLINES = {
    "held": "sync held",
    "rejected": "batch rejected",
    "refused": "sync refused",
    "applied with errors": "applied, rows rejected",
    FAILED: "sync failed",
}


@dataclass(frozen=True)
class Notice:
    """One message about one sync run, for the district's contacts."""

    district: str
    verdict: str
    """held, rejected, refused, applied with errors, or failed."""
    batch: str
    message: str
    """What happened and what to do next, in one paragraph."""
    reasons: tuple[str, ...] = ()
    changes: dict[str, int] = field(default_factory=dict)
    """Records per change (inserted, updated, deactivated, ...) planned or applied."""
    findings: dict[str, int] = field(default_factory=dict)
    """Findings per severity."""
    rows_rejected: int = 0
    run_id: str = ""
    run_url: str | None = None
    results_url: str | None = None

    def as_json(self) -> dict[str, object]:
        """The notice as JSON (run metadata, the webhook's body)."""
        shown = asdict(self)
        shown["reasons"] = list(self.reasons)
        return shown

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Notice:
        """The notice :meth:`as_json` wrote."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["reasons"] = tuple(known.get("reasons") or ())
        return cls(**known)  # type: ignore[arg-type]

    def linked(self, run_id: str, run_url: str | None) -> Notice:
        """The notice with its run and the run's page in the UI."""
        return replace(self, run_id=run_id, run_url=run_url)

    def subject(self) -> str:
        """The e-mail's subject line."""
        batch = f", batch {self.batch}" if self.batch else ""
        return f"{self.district}: {_HEADLINES.get(self.verdict, self.verdict)}{batch}"

    def body(self) -> str:
        """The e-mail's text."""
        lines = [
            f"District: {self.district}",
            f"Batch: {self.batch or '(unknown)'}",
            f"Outcome: {self.verdict}",
            "",
            self.message,
        ]
        if self.reasons:
            lines += ["", "Reasons:", *(f"- {r}" for r in self.reasons)]
        if self.changes:
            lines += ["", "Changes:", *(f"- {k}: {n:,}" for k, n in sorted(self.changes.items()))]
        if self.findings or self.rows_rejected:
            counts = [f"{n:,} {k}" for k, n in sorted(self.findings.items())]
            lines += [
                "",
                f"Findings: {', '.join(counts) or 'none'}; rows rejected: {self.rows_rejected:,}",
            ]
        links = [("Run in Dagster", self.run_url), ("Results workbook", self.results_url)]
        shown = [f"{label}: {url}" for label, url in links if url]
        if self.run_id and not self.run_url:
            shown.append(f"Run id: {self.run_id}")
        if shown:
            lines += ["", *shown]
        lines += [
            "",
            "This message holds counts only: the rows themselves are in the results workbook "
            "and the district's tables.",
        ]
        return "\n".join(lines) + "\n"


def notice_for(run: SyncRun, district: str, results_url: str | None = None) -> Notice | None:
    """The notice of a finished sync run, or None when nobody needs to look at it."""
    if not run.verdict.needs_people:
        return None
    outcome = run.outcome
    if outcome is None:
        return Notice(district, run.status, "", mask_text(run.message()))
    by_severity = findings.counts_by_severity(outcome.findings)
    return Notice(
        district=district,
        verdict=run.status,
        batch=outcome.batch_id,
        message=mask_text(run.message()),
        reasons=tuple(mask_text(r) for r in outcome.reasons),
        changes={k: v for k, v in outcome.counts.totals().items() if k in CHANGES and v},
        findings={
            s: by_severity[s] for s in (findings.ERROR, findings.WARNING) if s in by_severity
        },
        rows_rejected=outcome.rows_rejected,
        results_url=results_url,
    )


def failed_notice(district: str, batch: str, error: str) -> Notice:
    """The notice of a run that failed with an unexpected error (its message, masked)."""
    text = mask_text(" ".join(error.split()))[:ERROR_TEXT_LIMIT]
    return Notice(
        district,
        FAILED,
        batch,
        f"The sync run failed before it could finish: {text} A sync applies all or nothing, "
        "so an apply that did not finish left the tables as they were; the run's page in "
        "Dagster has the details.",
    )
