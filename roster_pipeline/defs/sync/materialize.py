"""One batch synced through the real ``roster_sync`` asset, in this process.

What the UI's Materialize of a batch partition does, for scripts, tests and the benchmark.
"""

from pathlib import Path

import dagster as dg

from roster_pipeline.defs.resources import roster_resources
from roster_pipeline.defs.roster.tables import TABLE_SPECS
from roster_pipeline.defs.sync.assets import roster_sync
from roster_pipeline.defs.sync.partitions import roster_batches, sync_key


def materialize_batch(
    batch: Path,
    *,
    mode: str = "apply",
    action: str = "run",
    instance: dg.DagsterInstance | None = None,
    district: object = None,
    **settings: object,
) -> dg.ExecuteInProcessResult:
    """Sync ``batch`` under the district's settings with ``settings`` over them.

    ``batch``: a folder or .zip; its folder is the drop folder, its name the partition.
    """
    batch = Path(batch)
    instance = instance or dg.DagsterInstance.ephemeral()
    if not instance.has_dynamic_partition(roster_batches.name, batch.name):
        instance.add_dynamic_partitions(roster_batches.name, [batch.name])
    return dg.materialize(
        [roster_sync, *TABLE_SPECS],
        selection=[roster_sync],
        partition_key=sync_key(batch.name, mode),
        instance=instance,
        resources=roster_resources(district=district, drop_dir=str(batch.parent), **settings),
        run_config={"ops": {"roster_sync": {"config": {"action": action}}}},
        raise_on_error=False,
    )
