"""Districts are partitions: one per folder of ROSTER_DISTRICTS_DIR, registered by a sensor."""

import dagster as dg

districts = dg.DynamicPartitionsDefinition(name="districts")
"""The districts (tenants) of a many-district deployment; the key is the folder name."""
DISTRICT_TAG = "district"
"""The run tag naming the district, for per-district concurrency limits of the run queue."""
BATCH_TAG = "roster/batch"
"""The run tag naming the batch a district's run previews or applies."""
MODE_TAG = "roster/mode"
"""The run tag saying whether the run previews or applies (``preview`` / ``apply``)."""
