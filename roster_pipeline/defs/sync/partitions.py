"""Sync partitions: one per batch folder (registered as it arrives) times preview / apply."""

import dagster as dg

from roster_pipeline.sync.run import MODES

roster_batches = dg.DynamicPartitionsDefinition(name="roster_batches")
sync_partitions = dg.MultiPartitionsDefinition(
    {"batch": roster_batches, "mode": dg.StaticPartitionsDefinition(list(MODES))}
)


def sync_key(batch: str, mode: str) -> dg.MultiPartitionKey:
    """The partition of one batch in one mode."""
    return dg.MultiPartitionKey({"batch": batch, "mode": mode})
