# Sourced by the scripts that start the pipeline's processes (dev.sh, deploy-local.sh,
# benchmark.sh): how those processes use memory. A value already in the environment wins.
#
# Polars allocates with its own jemalloc, which it configures on import to keep freed pages for
# half a second and then hand them to the kernel lazily (MADV_FREE: still counted as the
# process's memory until the kernel needs it). A sync frees gigabytes within seconds (each file's
# text once parsed, each frame once staged in DuckDB), so without this a run's resident memory
# counts what it has already let go: 1.0-1.2 GiB of a 1,000,000-student first load's peak.
# Polars appends this variable to its own settings (later ones win); it is read once, when
# polars is first imported, so it belongs in the environment the process starts with.
export _RJEM_MALLOC_CONF="${_RJEM_MALLOC_CONF:-dirty_decay_ms:0,muzzy_decay_ms:0}"
