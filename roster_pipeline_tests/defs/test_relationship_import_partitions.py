"""The relationships import runs as preview and apply partitions of one asset."""

import dagster as dg

from roster_pipeline.defs.relationships.assets import relationship_import
from roster_pipeline.defs.resources import roster_resources
from roster_pipeline.defs.sync.materialize import materialize_batch
from roster_pipeline_tests.conftest import PROJECT, SAMPLE


def test_preview_then_apply_partitions_on_the_sample(tmp_path):
    resources = roster_resources(
        duckdb_path=str(tmp_path / "r.duckdb"),
        relationships_path=str(PROJECT / "data" / "relationships.csv"),
        results_dir=str(tmp_path / "results"),
    )
    assert materialize_batch(SAMPLE, district=resources["district"]).success
    runs = {}
    for mode in ("preview", "apply"):
        result = dg.materialize([relationship_import], resources=resources, partition_key=mode)
        assert result.success
        runs[mode] = result.asset_materializations_for_node("relationship_import")[0].metadata
    assert runs["preview"]["file_check"].value == {
        "rows_read": 7,
        "rows_well_formed": 6,
        "rows_malformed": 1,
    }
    assert runs["preview"]["data_check"].value == runs["apply"]["data_check"].value
    assert runs["preview"]["data_check"].value["action_UPDATED"] == 1
    assert runs["apply"]["preview_check"].value == "The results equal the preview's."
