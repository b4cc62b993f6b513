"""Store any Python object holding polars frames: frames as Arrow IPC files, the rest pickled.

Loading memory-maps the IPC files, so handing a stage's frames to the next stage costs neither a
serialized copy in memory nor a parse.
"""

from __future__ import annotations

import pickle
import shutil
import threading
import uuid
from pathlib import Path
from typing import Any

import polars as pl

OBJECT_FILE = "object.pickle"


class _FramePickler(pickle.Pickler):
    def __init__(self, handle: Any, folder: Path) -> None:
        super().__init__(handle, protocol=pickle.HIGHEST_PROTOCOL)
        self.folder = folder
        self.count = 0

    def persistent_id(self, obj: Any) -> str | None:
        if isinstance(obj, pl.DataFrame):
            name = f"frame-{self.count}.arrow"
            self.count += 1
            obj.write_ipc(self.folder / name, compression="uncompressed")
            return name
        return None


class _FrameUnpickler(pickle.Unpickler):
    def __init__(self, handle: Any, folder: Path) -> None:
        super().__init__(handle)
        self.folder = folder

    def persistent_load(self, pid: str) -> pl.DataFrame:
        return pl.read_ipc(self.folder / pid)


def dump(obj: Any, folder: Path) -> None:
    """Write ``obj`` to ``folder`` (replaced atomically: a half-written store is never read).

    The replaced store is deleted in the background (a large store takes seconds to unlink);
    leftovers of an interrupted deletion are removed by the next dump.
    """
    for leftover in folder.parent.glob(f"{folder.name}.old-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    staging = folder.with_name(folder.name + ".writing")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with (staging / OBJECT_FILE).open("wb") as handle:
        _FramePickler(handle, staging).dump(obj)
    old = folder.with_name(f"{folder.name}.old-{uuid.uuid4().hex}")
    if folder.exists():
        folder.rename(old)
    staging.rename(folder)
    if old.exists():
        threading.Thread(target=shutil.rmtree, args=(old, True), daemon=True).start()


def load(folder: Path) -> Any:
    """Read what :func:`dump` wrote; frames come back memory-mapped."""
    with (folder / OBJECT_FILE).open("rb") as handle:
        return _FrameUnpickler(handle, folder).load()
