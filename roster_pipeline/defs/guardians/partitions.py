"""Dry Run is a partition: the same guardians upload asset, previewed or applied."""

import dagster as dg

from roster_pipeline.uploads.guardians.upload import MODES

upload_mode = dg.StaticPartitionsDefinition(list(MODES))
