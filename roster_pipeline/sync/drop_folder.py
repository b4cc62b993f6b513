"""The drop folder: one sub-folder per export; which of them are complete batches."""

from __future__ import annotations

import re
import time
from pathlib import Path

from roster_pipeline.intake.manifest import read_manifest
from roster_pipeline.specs import kind_of_file

BATCH_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
"""Folder names usable as partition keys (no separators Dagster reserves)."""
IN_TRANSFER = (".part", ".partial", ".tmp", ".filepart", ".crdownload", ".uploading")


def _incomplete(folder: Path, settle_seconds: float, now: float) -> str | None:
    """Why ``folder`` is not a complete batch yet (None: it is)."""
    files = [f for f in folder.iterdir() if f.is_file()]
    if not any(kind_of_file(f.name) for f in files):
        return "no roster file yet"
    if any(f.name.startswith(".") or f.name.lower().endswith(IN_TRANSFER) for f in files):
        return "a file is still being transferred"
    if now - max(f.stat().st_mtime for f in files) < settle_seconds:
        return f"files changed in the last {settle_seconds:g} s"
    manifest = read_manifest(folder / "manifest.csv")
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
    no file changed for ``settle_seconds``, and every file its manifest lists is there.
    """
    if not drop_dir.is_dir():
        return []
    now = time.time() if now is None else now
    ready = []
    for folder in drop_dir.iterdir():
        if folder.is_dir() and BATCH_NAME.match(folder.name):
            if _incomplete(folder, settle_seconds, now) is None:
                newest = max(f.stat().st_mtime for f in folder.iterdir() if f.is_file())
                ready.append((newest, folder.name))
    return [name for _, name in sorted(ready)]


def batch_folder(drop_dir: Path, name: str) -> Path:
    """The folder of batch ``name`` inside ``drop_dir``; refused if the name could leave it."""
    folder = (drop_dir / name).resolve()
    if not BATCH_NAME.match(name) or folder.parent != drop_dir.resolve():
        raise ValueError(f"{name!r} is not a batch folder name (letters, digits, . _ -).")
    return folder
