import subprocess
import sys

import dagster as dg

from roster_pipeline.definitions import defs

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
    "roster_sync",
}


def test_definitions_load_with_expected_assets_checks_and_jobs():
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
    assert defs.resolve_job_def("roster_load") is not None
    upload = graph.get(dg.AssetKey("guardian_upload"))
    assert upload.partitions_def.get_partition_keys() == ["preview", "apply"]
    assert defs.resolve_job_def("roster_sync_job") is not None
    assert {s.name for s in defs.schedules} == {"daily_roster_sync"}
    assert {s.name for s in defs.sensors} == {"new_batch_sensor"}


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
