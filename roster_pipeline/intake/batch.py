"""A batch folder -> its identity (id, files, hashes) and every roster file read as strings."""

from __future__ import annotations

import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from roster_pipeline import findings
from roster_pipeline.intake.manifest import Manifest, read_manifest
from roster_pipeline.intake.read_file import RawFile, read_roster_file
from roster_pipeline.specs import NOT_LOADED, SPECS, header_key, kind_of_file


@dataclass
class FileRecord:
    """One file of the batch as it arrived."""

    name: str
    kind: str | None
    size: int
    sha256: str


@dataclass
class RawBatch:
    """Everything intake learned about one batch folder."""

    batch_id: str
    folder: str
    received_at: str
    files: list[FileRecord]
    manifest: Manifest
    raw: dict[str, RawFile] = field(default_factory=dict)
    """Loaded file kind -> file as read (only kinds present in the folder)."""
    findings: pl.DataFrame = field(default_factory=findings.empty)
    """Batch-level findings (manifest, unknown files); per-file findings live on each RawFile."""
    scope_school: str | None = None

    def all_findings(self) -> pl.DataFrame:
        """Batch-level and per-file findings together."""
        return findings.concat([self.findings, *(r.findings for r in self.raw.values())])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def batch_id_for(folder: Path, files: list[FileRecord]) -> str:
    """Stable id: the folder name (made safe) and a short hash of the files' contents."""
    digest = hashlib.sha256()
    for record in sorted(files, key=lambda r: r.name):
        digest.update(f"{record.name}:{record.sha256}\n".encode())
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", folder.resolve().name).strip("._") or "batch"
    return f"{safe[:60]}-{digest.hexdigest()[:10]}"


FILES_AT_ONCE = 2
"""Roster files read (and validated) side by side: much of each file's work is single-threaded."""


def largest_first(paths: dict[str, Path]) -> list[str]:
    """Keys of ``paths`` by file size, largest first (two at a time finish closest together)."""
    return sorted(paths, key=lambda key: -paths[key].stat().st_size)


def read_batch(folder: Path, scope_school: str | None = None) -> RawBatch:
    """Read every roster file in ``folder`` (one batch); never raises on bad content."""
    paths = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
    files = [FileRecord(p.name, kind_of_file(p.name), p.stat().st_size, _sha256(p)) for p in paths]
    manifest_path = next(
        (p for p in paths if p.name.lower() == "manifest.csv"), folder / "manifest.csv"
    )
    manifest = read_manifest(manifest_path)
    batch = RawBatch(
        batch_id=batch_id_for(folder, files),
        folder=str(folder.resolve()),
        received_at=datetime.now(UTC).isoformat(timespec="seconds"),
        files=files,
        manifest=manifest,
        scope_school=scope_school,
    )
    notes: list[pl.DataFrame] = [manifest.findings]
    roster = {r.kind: p for p, r in zip(paths, files, strict=True) if r.kind is not None}
    with ThreadPoolExecutor(FILES_AT_ONCE) as pool:
        reading = {
            kind: pool.submit(read_roster_file, roster[kind], SPECS[kind], scope_school)
            for kind in largest_first(roster)
        }
    for path, record in zip(paths, files, strict=True):
        if path.name.lower() == "manifest.csv":
            continue
        if record.kind is None:
            code = "FILE_NOT_LOADED" if header_key(path.stem) in NOT_LOADED else "FILE_UNKNOWN"
            what = (
                "is a OneRoster file this pipeline does not load"
                if code == "FILE_NOT_LOADED"
                else "is not a roster file this pipeline knows"
            )
            notes.append(
                findings.file_finding(path.name, code, f"{path.name} {what}; it was ignored.")
            )
            continue
        batch.raw[record.kind] = reading[record.kind].result()
        declared = manifest.modes.get(header_key(record.kind))
        if manifest.present and declared in (None, "absent"):
            notes.append(
                findings.file_finding(
                    path.name,
                    "MANIFEST_FILE_UNDECLARED",
                    f"{path.name} is present but the manifest does not declare it as bulk or "
                    "delta; it was loaded as bulk.",
                )
            )
    present = {header_key(k) for k in batch.raw}
    names = {header_key(k): k for k in SPECS}
    for key, mode in manifest.modes.items():
        if mode in ("bulk", "delta") and key not in present and key not in NOT_LOADED:
            notes.append(
                findings.file_finding(
                    "manifest.csv",
                    "MANIFEST_FILE_MISSING",
                    f"The manifest declares {names.get(key, key)}.csv as {mode} but the file is "
                    "not in the batch; the live rows for it were kept unchanged.",
                )
            )
    batch.findings = findings.concat(notes)
    return batch
