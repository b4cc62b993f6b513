"""A batch partition whose folder is not in the drop folder fails saying where the folder is."""

from roster_pipeline.defs.sync.materialize import materialize_batch


def test_a_missing_batch_names_the_drop_folder_and_its_setting(tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    result = materialize_batch(drop / "2026-11-30", duckdb_path=str(tmp_path / "r.duckdb"))
    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    description = failure.step_failure_data.user_failure_data.description
    assert f"batch '2026-11-30' is not in the drop folder ({drop})" in description
    assert "ROSTER_DROP_DIR" in description and "drop_dir in district.toml" in description
    assert not (tmp_path / "r.duckdb").exists()  # nothing written
