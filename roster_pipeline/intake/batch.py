"""A batch (a folder or a .zip) -> its identity (id, files, hashes) and its roster files as text."""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from roster_pipeline import findings
from roster_pipeline.findings import BATCH_NO_ROSTER, FILE_ONEROSTER_1_0
from roster_pipeline.intake import formats
from roster_pipeline.intake.manifest import Manifest, read_manifest
from roster_pipeline.intake.read_file import KnownRows, RawFile, read_roster_data
from roster_pipeline.intake.source import ArchiveLimits, BatchSource, Member, open_source
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
    archive: str | None = None
    """The zip's file name when the batch came as one."""
    version: str | None = None
    """OneRoster version: the manifest's, ``1.0`` when there is none and 1.0 columns show."""
    refusal: str | None = None
    """Why nothing of this batch can be applied (a refused archive, no usable roster file)."""

    def all_findings(self) -> pl.DataFrame:
        """Batch-level and per-file findings together."""
        return findings.concat([self.findings, *(r.findings for r in self.raw.values())])


def batch_id_for(name: str, files: list[FileRecord]) -> str:
    """Stable id: the batch's name (made safe) and a short hash of the files' contents."""
    digest = hashlib.sha256()
    for record in sorted(files, key=lambda r: r.name):
        digest.update(f"{record.name}:{record.sha256}\n".encode())
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "batch"
    return f"{safe[:60]}-{digest.hexdigest()[:10]}"


def received_now() -> str:
    """When a batch is received: now, in UTC, to the second (``batches.received_at``)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


FILES_AT_ONCE = 2
"""Roster files read (and validated) side by side: much of each file's work is single-threaded."""


def _read_member(
    member: Member, scope_school: str | None, known: KnownRows | None = None
) -> tuple[str, RawFile | None]:
    """One member's sha256, and the file as read when it is a roster file."""
    kind = kind_of_file(member.name)
    if kind is None:
        return _sha256_of(member), None
    read = _Once(member.read)
    raw = read_roster_data(member.name, read, SPECS[kind], scope_school, known)
    return read.sha256, raw


class _Once:
    """A member's bytes read once, their sha256 kept (the parser releases the bytes)."""

    def __init__(self, read: Callable[[], bytes]) -> None:
        self._read = read
        self.sha256 = ""

    def __call__(self) -> bytes:
        data = self._read()
        self.sha256 = hashlib.sha256(data).hexdigest()
        return data


HASH_PIECE = 1 << 20
"""Bytes hashed at a time: a re-send is recognised without holding its files in memory."""


def _sha256_of(member: Member) -> str:
    """The sha256 of ``member.read()``, read a piece at a time ("" if unreadable, as read)."""
    digest, left = hashlib.sha256(), member.size
    try:
        with member.stream() as handle:
            while left > 0 and (piece := handle.read(min(HASH_PIECE, left))):
                digest.update(piece)
                left -= len(piece)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return ""
    return digest.hexdigest()


def identify(source: BatchSource) -> tuple[str, list[FileRecord]]:
    """The batch's id and files as ``read_batch`` would record them, from the bytes alone.

    Nothing is parsed: each member is hashed (two at a time), so a re-sent batch is recognised
    for the cost of reading it once.
    """
    with ThreadPoolExecutor(FILES_AT_ONCE) as pool:
        shas = list(pool.map(_sha256_of, source.members))
    files = [
        FileRecord(m.name, kind_of_file(m.name), m.size, sha)
        for m, sha in zip(source.members, shas, strict=True)
    ]
    return batch_id_for(source.name, files), files


def _version(manifest: Manifest, raw: dict[str, RawFile]) -> tuple[str | None, pl.DataFrame]:
    """The batch's OneRoster version: the manifest's, or 1.0 where none and 1.0 columns show."""
    if manifest.present:
        return manifest.version, findings.empty()
    markers = {r.file: r.version_markers for r in raw.values() if r.version_markers}
    if not markers:
        return None, findings.empty()
    shown = "; ".join(f"{f}: {', '.join(m)}" for f, m in sorted(markers.items()))
    return "1.0", findings.file_finding(
        "manifest.csv",
        FILE_ONEROSTER_1_0,
        f"No manifest and OneRoster 1.0 columns ({shown}): the batch was read as OneRoster 1.0 "
        "(userId as an identifier, agents as guardian links, inactive as tobedeleted).",
    )


def read_batch(
    path: Path,
    scope_school: str | None = None,
    limits: ArchiveLimits | None = None,
    known: KnownRows | None = None,
) -> RawBatch:
    """Read every roster file of the batch at ``path`` (a folder or a .zip); never raises.

    A batch whose archive is refused, or with no usable roster file, gets a ``refusal`` and an
    error finding that says why. ``known``: see ``read_roster_bytes`` (rows recognised from an
    earlier batch are not parsed again).
    """
    source = open_source(path, limits)
    members = {m.name: m for m in source.members}
    manifest_member = next((m for m in source.members if m.name.lower() == "manifest.csv"), None)
    manifest_data = manifest_member.read() if manifest_member else None
    manifest = read_manifest(manifest_data)
    kinds = {name: kind_of_file(name) for name in members}
    with ThreadPoolExecutor(FILES_AT_ONCE) as pool:
        # roster files first, largest first: read two at a time, they finish closest together
        order = sorted(members, key=lambda n: (kinds[n] is None, -members[n].size))
        reading = {
            n: pool.submit(_read_member, members[n], scope_school, known)
            for n in order
            if n.lower() != "manifest.csv"
        }
    results = {n: f.result() for n, f in reading.items()}
    manifest_sha = hashlib.sha256(manifest_data).hexdigest() if manifest_data is not None else ""
    files = [
        FileRecord(
            m.name,
            kinds[m.name],
            m.size,
            manifest_sha if m is manifest_member else results[m.name][0],
        )
        for m in source.members
    ]
    batch = RawBatch(
        batch_id=batch_id_for(source.name, files),
        folder=str(source.path.resolve()),
        received_at=received_now(),
        files=files,
        manifest=manifest,
        scope_school=scope_school,
        archive=source.archive,
    )
    if source.refused:
        batch.findings = source.findings
        batch.refusal = (
            f"The archive {source.archive} was refused: "
            + " ".join(source.findings["message"].to_list())
            + " Nothing was applied."
        )
        return batch
    notes: list[pl.DataFrame] = [manifest.findings]
    for record in files:
        if record.name.lower() == "manifest.csv":
            continue
        if record.kind is None:
            stem = record.name.rsplit(".", 1)[0]
            code = "FILE_NOT_LOADED" if header_key(stem) in NOT_LOADED else "FILE_UNKNOWN"
            what = (
                "is a OneRoster file this pipeline does not load"
                if code == "FILE_NOT_LOADED"
                else "is not a roster file this pipeline knows"
            )
            notes.append(
                findings.file_finding(record.name, code, f"{record.name} {what}; it was ignored.")
            )
            continue
        raw = results[record.name][1]
        assert raw is not None
        batch.raw[record.kind] = raw
        declared = manifest.modes.get(header_key(record.kind))
        if manifest.present and declared in (None, "absent"):
            notes.append(
                findings.file_finding(
                    record.name,
                    "MANIFEST_FILE_UNDECLARED",
                    f"{record.name} is present but the manifest does not declare it as bulk or "
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
    version, version_note = _version(manifest, batch.raw)
    batch.version = version
    notes.append(version_note)
    if not any(r.usable for r in batch.raw.values()):
        names = [r.name for r in files if r.name.lower() != "manifest.csv"]
        headers = _headers(members, [n for n in members if kinds[n] is None or n in names])
        batch.refusal = formats.describe(names, headers)
        notes.append(
            findings.file_finding(source.archive or "(batch)", BATCH_NO_ROSTER, batch.refusal)
        )
    batch.findings = findings.concat(notes)
    return batch


def _headers(members: dict[str, Member], names: list[str]) -> dict[str, list[str]]:
    """The first line's cells of a few files (to recognise another format); never raises."""
    out: dict[str, list[str]] = {}
    for name in names[:20]:
        try:
            first = members[name].read()[:4096].decode("utf-8", "replace").splitlines()[:1]
        except (OSError, ValueError, EOFError, zipfile.BadZipFile):
            continue
        out[name.rsplit(".", 1)[0]] = [
            c.strip().strip('"') for c in (first[0] if first else "").split(",")
        ]
    return out
