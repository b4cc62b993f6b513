import subprocess
import sys

import dagster as dg

from roster_pipeline.definitions import defs as load_definitions

EXPECTED_ASSETS = {
    "raw_roster_files",
    "validated_roster_files",
    "orgs",
    "academic_sessions",
    "courses",
    "classes",
    "users",
    "user_roles",
    "enrollments",
    "demographics",
    "student_guardians",
    "findings",
    "batches",
    "guardian_upload",
    "relationship_import",
    "sync_plan",
    "district_sync",
}
TABLES = EXPECTED_ASSETS - {
    "raw_roster_files",
    "validated_roster_files",
    "sync_plan",
    "guardian_upload",
    "relationship_import",
    "district_sync",
}


def job_assets(defs: dg.Definitions, name: str) -> set[str]:
    """The asset keys a job of ``defs`` materializes."""
    job = defs.resolve_job_def(name)
    return {k.to_user_string() for k in job.asset_layer.executable_asset_keys}


def test_definitions_load_with_expected_assets_checks_and_jobs():
    defs = load_definitions()
    graph = defs.resolve_asset_graph()
    assert {k.to_user_string() for k in graph.get_all_asset_keys()} == EXPECTED_ASSETS
    checks = {k.name for k in graph.asset_check_keys}
    assert {
        "enrollments_users_exist",
        "enrollments_classes_exist",
        "classes_schools_exist",
        "users_orgs_exist",
        "student_guardians_users_exist",
        "student_guardians_at_most_six",
        "student_guardians_people_active",
        "enrollments_in_active_classes",
        "users_ids_unique",
    } <= checks
    # one write path: files -> validated -> plan -> tables; the tables are written only by it
    assert graph.get(dg.AssetKey("validated_roster_files")).parent_keys == {
        dg.AssetKey("raw_roster_files")
    }
    assert graph.get(dg.AssetKey("sync_plan")).parent_keys == {
        dg.AssetKey("validated_roster_files")
    }
    for table in TABLES:
        node = graph.get(dg.AssetKey(table))
        assert node.parent_keys == {dg.AssetKey("sync_plan")}, table
        assert not node.is_materializable, table  # no other job can write it
    upload = graph.get(dg.AssetKey("guardian_upload"))
    assert upload.partitions_def.get_partition_keys() == ["preview", "apply"]
    assert job_assets(defs, "roster_sync_job") == {
        "raw_roster_files",
        "validated_roster_files",
        "sync_plan",
    }
    assert job_assets(defs, "sync_district") == {"district_sync"}
    assert {s.name for s in defs.schedules} == {"daily_roster_sync", "daily_district_syncs"}
    assert {s.name for s in defs.sensors} == {
        "new_batch_sensor",
        "new_district_sensor",
        "notify_failed_syncs",
        "notify_syncs_with_errors",
    }


def test_the_definitions_do_not_depend_on_local_district_folders(tmp_path, monkeypatch):
    empty = load_definitions()
    root = tmp_path / "districts"
    for tenant in ("north-usd", "south-usd"):
        (root / tenant / "drop").mkdir(parents=True)
    monkeypatch.setenv("ROSTER_DISTRICTS_DIR", str(root))
    with_two = load_definitions()
    keys = {k.to_user_string() for k in with_two.resolve_asset_graph().get_all_asset_keys()}
    assert (
        keys
        == EXPECTED_ASSETS
        == {k.to_user_string() for k in empty.resolve_asset_graph().get_all_asset_keys()}
    )
    district = with_two.resolve_asset_graph().get(dg.AssetKey("district_sync"))
    assert isinstance(district.partitions_def, dg.DynamicPartitionsDefinition)


def test_loading_the_code_location_and_exiting_reports_no_leaked_objects():
    # the definitions freeze their import-time objects for the collector; at exit they must be
    # finalized as usual, or DuckDB's bindings print a leak report in every process
    done = subprocess.run(
        [sys.executable, "-c", "import roster_pipeline.definitions"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "leaked" not in done.stderr


def test_the_district_resource_shows_every_setting_with_its_description_and_variable():
    from roster_pipeline.defs.resources import DistrictResource
    from roster_pipeline.settings.load import load_district
    from roster_pipeline.settings.model import DistrictSettings

    defs = load_definitions()
    district = defs.resources["district"]
    assert isinstance(district, DistrictResource)
    fields = DistrictResource.to_config_schema().as_field().config_type.fields
    assert set(fields) == set(DistrictSettings.model_fields)
    for name, field in DistrictSettings.model_fields.items():
        env = field.json_schema_extra["env"]
        assert fields[name].description.startswith(field.description), name
        assert f"Set by {env}, or `{name}` in district.toml." in fields[name].description
    assert district.settings() == load_district()  # the loader's values, nothing else
