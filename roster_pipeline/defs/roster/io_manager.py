"""IO manager for the intake and validate stages: frames as memory-mapped Arrow files."""

import os
from pathlib import Path

import dagster as dg

from roster_pipeline import framestore


class FrameStoreIOManager(dg.ConfigurableIOManager):
    """Stores each asset's value under ``base_dir/<asset key>`` (frames as Arrow IPC files).

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
        framestore.dump(obj, self._folder(context.asset_key))

    def load_input(self, context: dg.InputContext) -> object:
        """Read the upstream asset's value."""
        return framestore.load(self._folder(context.asset_key))
