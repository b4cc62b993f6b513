"""Dagster entry point (workspace.yaml): the definitions of ``defs/definitions.py``."""

import atexit
import gc

from roster_pipeline.defs.definitions import defs

__all__ = ["defs"]

# Everything imported so far lives as long as the process: keep Python's cycle collector from
# rescanning it in every full collection during a run (about 0.7 s of a 500k district's load).
# At exit it is handed back, so it is finalized as usual (DuckDB's bindings report objects that
# are never freed).
gc.freeze()
atexit.register(gc.unfreeze)
