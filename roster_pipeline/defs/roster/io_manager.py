"""IO manager for the intake and validate stages: frames as memory-mapped Arrow files."""

import os
from pathlib import Path

import dagster as dg

from roster_pipeline import framestore

_HANDOVER: dict[Path, tuple[int, object]] = {}
"""Values written in this process, by folder, for the next step if it runs here too."""


def _stamp(folder: Path) -> int:
    return (folder / framestore.OBJECT_FILE).stat().st_mtime_ns


class FrameStoreIOManager(dg.ConfigurableIOManager):
    """Stores each asset's value under ``base_dir/<asset key>`` (frames as Arrow IPC files).

    With the in-process executor the next step takes the value straight from memory, once
    (as long as the store on disk is still the one written here); a step in another process,
    or a later run, reads the store.

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
            base = Path(os.environ.get("TMPDIR", "/tmp")) / "roster_pipeline_framestore"
        return base.joinpath(*key.path)

    def handle_output(self, context: dg.OutputContext, obj: object) -> None:
        """Write the asset's value."""
        folder = self._folder(context.asset_key)
        framestore.dump(obj, folder)
        _HANDOVER[folder] = (_stamp(folder), obj)

    def load_input(self, context: dg.InputContext) -> object:
        """Read the upstream asset's value."""
        folder = self._folder(context.asset_key)
        stamp, obj = _HANDOVER.pop(folder, (None, None))
        if stamp is not None and stamp == _stamp(folder):
            return obj
        return framestore.load(folder)
