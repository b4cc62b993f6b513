"""The drop folder: one sub-folder or ``.zip`` per export; which of them are complete batches."""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

from roster_pipeline.intake.manifest import read_manifest
from roster_pipeline.intake.source import is_zip_batch
from roster_pipeline.specs import kind_of_file

BATCH_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
"""Folder names usable as partition keys (no separators Dagster reserves)."""
IN_TRANSFER = (".part", ".partial", ".tmp", ".filepart", ".crdownload", ".uploading")


def _incomplete_zip(path: Path, settle_seconds: float, now: float) -> str | None:
    """Why the zip at ``path`` is not a complete batch yet (None: it is).

    A zip whose end (its central directory) is not there yet is still being transferred; one
    that is there but cannot be read settles and is then a batch, refused with the reason.
    """
    if now - path.stat().st_mtime < settle_seconds:
        return f"the archive changed in the last {settle_seconds:g} s"
    if not zipfile.is_zipfile(path):
        return "the archive is not complete (no zip directory yet)"
    return None


def _incomplete(folder: Path, settle_seconds: float, now: float) -> str | None:
    """Why ``folder`` is not a complete batch yet (None: it is)."""
    if folder.is_file():
        return _incomplete_zip(folder, settle_seconds, now)
    files = [f for f in folder.iterdir() if f.is_file()]
    if not any(kind_of_file(f.name) for f in files):
        return "no roster file yet"
    if any(f.name.startswith(".") or f.name.lower().endswith(IN_TRANSFER) for f in files):
        return "a file is still being transferred"
    if now - max(f.stat().st_mtime for f in files) < settle_seconds:
        return f"files changed in the last {settle_seconds:g} s"
    manifest = read_manifest(next((f for f in files if f.name.lower() == "manifest.csv"), None))
    names = {f.name.lower() for f in files}
    for kind, mode in manifest.modes.items():
        if mode in ("bulk", "delta") and not any(n.startswith(kind.lower()) for n in names):
            return f"the manifest lists {kind} but its file is not there yet"
    return None


def complete_batches(
    drop_dir: Path, settle_seconds: float = 60.0, now: float | None = None
) -> list[str]:
    """Names of the complete batch folders, oldest (by last file change) first.

    Complete: it holds a roster file, nothing is mid-transfer (``*.part``, hidden temp files),
    no file changed for ``settle_seconds``, and every file its manifest lists is there. A
    ``.zip`` is one batch (its name is the partition key) once it settled and is whole.
    """
    if not drop_dir.is_dir():
        return []
    now = time.time() if now is None else now
    ready = []
    for entry in drop_dir.iterdir():
        is_batch = entry.is_dir() or (entry.is_file() and is_zip_batch(entry))
        if is_batch and BATCH_NAME.match(entry.name):
            if _incomplete(entry, settle_seconds, now) is None:
                files = [entry] if entry.is_file() else [f for f in entry.iterdir() if f.is_file()]
                ready.append((max(f.stat().st_mtime for f in files), entry.name))
    return [name for _, name in sorted(ready)]


def batch_folder(drop_dir: Path, name: str) -> Path:
    """The folder (or .zip) of batch ``name`` inside ``drop_dir``; refused if it could leave it."""
    folder = (drop_dir / name).resolve()
    if not BATCH_NAME.match(name) or folder.parent != drop_dir.resolve():
        raise ValueError(f"{name!r} is not a batch folder name (letters, digits, . _ -).")
    return folder
