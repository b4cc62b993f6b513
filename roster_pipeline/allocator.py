"""Polars' memory allocator told to give freed memory back at once (set before polars loads).

Polars allocates with its own jemalloc, configured on import to keep freed pages for half a
second and then to hand them to the kernel lazily (``MADV_FREE``: still counted as the process's
memory until the kernel needs it). A sync frees gigabytes in seconds (each file's text once
parsed, its cells once trimmed, each frame once staged in DuckDB), so the process's resident
memory counted what it had already let go: a 1M-student district's first load peaked 1.1 GiB
above what it held. With no decay, pages go back as they are freed (no measurable cost in time).

Polars appends ``_RJEM_MALLOC_CONF`` to its own settings (later ones win) when it is imported:
it is set here, before anything imports polars, unless the deployment has set it (its value
wins). A process that imported polars before ``roster_pipeline`` keeps its allocator as it was.
"""

import os

POLARS_ALLOCATOR = "_RJEM_MALLOC_CONF"
RETURN_AT_ONCE = "dirty_decay_ms:0,muzzy_decay_ms:0"


def return_freed_memory() -> None:
    """Set polars' allocator to return freed pages at once (unless the deployment chose)."""
    os.environ.setdefault(POLARS_ALLOCATOR, RETURN_AT_ONCE)
