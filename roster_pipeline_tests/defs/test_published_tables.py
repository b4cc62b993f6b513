"""One write path: every apply materializes the tables it changed, and their checks follow it."""

import shutil

import dagster as dg
import duckdb

from roster_pipeline.defs.resources import roster_resources
from roster_pipeline.defs.roster.checks import roster_integrity
from roster_pipeline.defs.roster.tables import TABLE_SPECS
from roster_pipeline.defs.sync.materialize import materialize_batch
from roster_pipeline_tests.conftest import SAMPLE


def latest(instance: dg.DagsterInstance, table: str) -> dict:
    event = instance.get_latest_materialization_event(dg.AssetKey(table))
    return event.asset_materialization.metadata


def check_result(instance: dg.DagsterInstance, table: str, check: str) -> bool:
    key = dg.AssetCheckKey(dg.AssetKey(table), check)
    record = instance.event_log_storage.get_latest_asset_check_execution_by_key([key])[key]
    return record.evaluation.passed


def users_in(db) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM users").fetchall()[0][0]


def test_the_users_page_says_what_is_in_users_since_which_batch_and_its_checks(tmp_path):
    db = tmp_path / "roster.duckdb"
    day1 = tmp_path / "drop" / "2026-11-23"
    shutil.copytree(SAMPLE, day1)
    day2 = tmp_path / "drop" / "2026-11-24"
    shutil.copytree(SAMPLE, day2)
    users = (day2 / "users.csv").read_text()
    (day2 / "users.csv").write_text(users + "0009001,sch001,student,New,Arrival,,,,,05,\n")
    with dg.instance_for_test() as instance:
        preview = materialize_batch(day1, mode="preview", instance=instance, duckdb_path=str(db))
        assert preview.success
        assert instance.get_latest_materialization_event(dg.AssetKey("users")) is None

        assert materialize_batch(day1, instance=instance, duckdb_path=str(db)).success
        first = latest(instance, "users")
        assert first["dagster/row_count"].value == users_in(db)
        assert first["batch_id"].value.startswith("2026-11-23")
        assert first["changes_created"].value == users_in(db)
        columns = {c.name: c.type for c in first["dagster/column_schema"].schema.columns}
        assert columns["sourced_id"] == "VARCHAR" and columns["org_sourced_ids"] == "VARCHAR[]"
        assert first["dagster/table_name"].value == "main.users"
        assert check_result(instance, "users", "users_ids_unique")
        assert check_result(instance, "enrollments", "enrollments_users_exist")
        classes_after_day1 = instance.get_latest_materialization_event(dg.AssetKey("classes"))

        assert materialize_batch(day2, instance=instance, duckdb_path=str(db)).success
        second = latest(instance, "users")
        assert (
            second["dagster/row_count"].value
            == users_in(db)
            == first["dagster/row_count"].value + 1
        )
        assert second["batch_id"].value.startswith("2026-11-24")
        assert second["changes_created"].value == 1
        # classes did not change on day 2: their page still shows day 1's materialization
        assert instance.get_latest_materialization_event(dg.AssetKey("classes")) == (
            classes_after_day1
        )
        assert latest(instance, "batches")["batch_id"].value.startswith("2026-11-24")

        # the checks can also be run on their own, from a table's page
        alone = dg.materialize(
            [*TABLE_SPECS, roster_integrity],
            instance=instance,
            resources=roster_resources(duckdb_path=str(db)),
            selection=dg.AssetSelection.checks(roster_integrity),
        )
        assert alone.success
        assert {e.check_name for e in alone.get_asset_check_evaluations()} >= {
            "users_ids_unique",
            "enrollments_users_exist",
        }
        assert all(e.passed for e in alone.get_asset_check_evaluations())


def test_a_held_apply_materializes_no_table(tmp_path):
    db = tmp_path / "roster.duckdb"
    day1 = tmp_path / "drop" / "day1"
    shutil.copytree(SAMPLE, day1)
    truncated = tmp_path / "drop" / "day2"
    shutil.copytree(SAMPLE, truncated)
    lines = (truncated / "users.csv").read_text().splitlines(keepends=True)
    (truncated / "users.csv").write_text("".join(lines[:20]))
    with dg.instance_for_test() as instance:
        assert materialize_batch(day1, instance=instance, duckdb_path=str(db)).success
        before = instance.get_latest_materialization_event(dg.AssetKey("users"))
        held = materialize_batch(truncated, instance=instance, duckdb_path=str(db))
        assert not held.success
        assert instance.get_latest_materialization_event(dg.AssetKey("users")) == before
        assert latest(instance, "batches")["status"].value == "held"
