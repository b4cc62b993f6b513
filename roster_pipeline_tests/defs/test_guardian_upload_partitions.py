"""Dry Run and apply are partitions of the same asset, runnable like the UI runs them."""

import dagster as dg
import duckdb

from roster_pipeline.defs.guardians.assets import guardian_upload
from roster_pipeline.defs.resources import roster_resources
from roster_pipeline.defs.sync.materialize import materialize_batch
from roster_pipeline_tests.conftest import PROJECT, SAMPLE


def test_preview_then_apply_partitions_on_the_sample(tmp_path):
    db = tmp_path / "roster.duckdb"
    resources = roster_resources(
        duckdb_path=str(db),
        sync_manages_guardians=False,
        guardians_path=str(PROJECT / "data" / "guardians.csv"),
        results_dir=str(tmp_path / "results"),
    )
    assert materialize_batch(SAMPLE, district=resources["district"]).success

    def count_upload_guardians() -> int:
        with duckdb.connect(str(db), read_only=True) as con:
            sql = "SELECT count(*) FROM student_guardians WHERE source = 'guardians_upload'"
            return con.execute(sql).fetchall()[0][0]

    abandoned = dg.materialize(
        [guardian_upload],
        resources=resources,
        partition_key="apply",
        run_config={"ops": {"guardian_upload": {"config": {"abandon": True}}}},
    )
    meta = abandoned.asset_materializations_for_node("guardian_upload")[0].metadata
    assert meta["abandoned"].value is True and count_upload_guardians() == 0

    preview = dg.materialize(
        [guardian_upload], resources=resources, partition_key="preview", selection=[guardian_upload]
    )
    assert preview.success and count_upload_guardians() == 0
    meta = preview.asset_materializations_for_node("guardian_upload")[0].metadata
    assert meta["mode"].value == "preview" and meta["result_SUCCESS"].value == 4
    failed = meta["failed_rows"].value  # the Dry Run's reasons, readable in the UI
    messages = [r.data["message"] for r in failed.records]
    assert len(messages) == meta["result_FAILED"].value > 0
    assert any("No student has id '9999999'" in m for m in messages)
    assert {c.name for c in failed.schema.columns} == {
        "line",
        "student_sourced_id",
        "guardian_sourced_id",
        "action",
        "message",
    }
    assert (tmp_path / "results").is_dir()

    applied = dg.materialize([guardian_upload], resources=resources, partition_key="apply")
    assert applied.success and count_upload_guardians() == 4
    with duckdb.connect(str(db), read_only=True) as con:  # the roster's own links are ignored
        assert con.execute("SELECT DISTINCT source FROM student_guardians").fetchall() == [
            ("guardians_upload",)
        ]
    meta = applied.asset_materializations_for_node("guardian_upload")[0].metadata
    assert meta["preview_check"].value == "The results equal the preview's."
