"""IO manager for the intake and validate stages: frames as compressed Arrow IPC files."""

import os
import tempfile
import threading
from pathlib import Path

import dagster as dg

from roster_pipeline import framestore

_HANDOVER: dict[tuple[str, Path], object] = {}
"""Values written in this process, by (run, folder), for the next step if it runs here too."""
_WRITING: dict[Path, threading.Thread] = {}
"""Stores still being written by this process, by folder."""


class FrameStoreIOManager(dg.ConfigurableIOManager):
    """Stores each asset's value under ``base_dir/<asset key>`` (frames as Arrow IPC files).

    The store is written in the background. With the in-process executor the next step of the
    same run takes the value straight from memory, once; a step in another process, or a later
    run, reads the store (this process finishes writing it before it exits, and a reader here
    waits for it).

    ``base_dir`` defaults to ``$DAGSTER_HOME/storage/framestore``, or a temp folder without one.
    The stored stages hold roster data: keep the folder as private as the DuckDB file.
    """

    base_dir: str | None = None

    def _folder(self, key: dg.AssetKey) -> Path:
        if self.base_dir:
            base = Path(self.base_dir)
        elif os.environ.get("DAGSTER_HOME"):
            base = Path(os.environ["DAGSTER_HOME"]) / "storage" / "framestore"
        else:
            base = Path(tempfile.gettempdir()) / "roster_pipeline_framestore"
        return base.joinpath(*key.path)

    def handle_output(self, context: dg.OutputContext, obj: object) -> None:
        """Write the asset's value (in the background) and keep it for a step of this run."""
        folder = self._folder(context.asset_key)
        _finish_writing(folder)
        _WRITING[folder] = framestore.dump(obj, folder, background=True)
        _HANDOVER[(context.run_id, folder)] = obj

    def load_input(self, context: dg.InputContext) -> object:
        """The upstream asset's value: from this run in memory, else from the store."""
        folder = self._folder(context.asset_key)
        run_id = context.upstream_output.run_id if context.upstream_output else None
        handed = _HANDOVER.pop((run_id, folder), _NOTHING)
        if handed is not _NOTHING:
            return handed
        _finish_writing(folder)
        return framestore.load(folder)


_NOTHING = object()


def _finish_writing(folder: Path) -> None:
    """Wait for this process's write of ``folder``, if one is under way."""
    thread = _WRITING.pop(folder, None)
    if thread is not None:
        thread.join()
