"""The real assets, materialized with Dagster on the bundled sample and every conformance set."""

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from roster_pipeline.defs.sync.materialize import materialize_batch
from roster_pipeline_tests.conftest import CONFORMANCE, SAMPLE

needs_conformance = pytest.mark.skipif(
    not CONFORMANCE.is_dir(), reason=f"shared conformance sets not found at {CONFORMANCE}"
)


def materialize(folder: Path, db: Path) -> dg.ExecuteInProcessResult:
    return materialize_batch(folder, duckdb_path=str(db), tenant_id="test")


def table(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def finding_codes(db: Path) -> set[str]:
    return {c for (c,) in table(db, "SELECT DISTINCT code FROM findings")}


def assert_checks_pass(result: dg.ExecuteInProcessResult) -> None:
    evaluations = result.get_asset_check_evaluations()
    assert evaluations, "no asset check ran"
    failed = [e.check_name for e in evaluations if not e.passed]
    assert failed == []


def test_sample_district_materializes_with_its_deliberate_mistakes(tmp_path):
    db = tmp_path / "roster.duckdb"
    result = materialize(SAMPLE, db)
    assert result.success
    assert_checks_pass(result)
    assert {
        "USR_ID_DUPLICATE",
        "USR_GRADE_MAPPED",
        "USR_GRADE_INVALID",
        "USR_ROLE_MAPPED",
        "USR_EMAIL_INVALID",
        "USR_SMS_INVALID",
        "USR_LANGUAGE_MAPPED",
        "USR_LANGUAGE_INVALID",
        "USR_TOO_MANY_GUARDIANS",
        "ENR_USER_LEADING_ZEROS",
        "ENR_CLASS_UNKNOWN",
        "CLS_SCHOOL_UNKNOWN",
    } <= finding_codes(db)
    users = result.asset_materializations_for_node("roster_sync")
    by_key = {m.asset_key.to_user_string(): m.metadata for m in users}
    assert (
        by_key["users"]["dagster/row_count"].value == table(db, "SELECT count(*) FROM users")[0][0]
    )
    assert "USR_EMAIL_INVALID" in by_key["users"]["findings"].value


# set -> (codes that must appear, {table: rows})
CONFORMANCE_EXPECTED = {
    "lepo-roster-hub/en": (
        {"MANIFEST_KEY_UNKNOWN", "ENR_ROLE_MISMATCH"},
        {"users": 20, "enrollments": 30},
    ),
    "lepo-roster-hub/ja": (
        {"MANIFEST_KEY_UNKNOWN", "ENR_ROLE_MISMATCH"},
        {"users": 20, "enrollments": 30},
    ),
    "moodle-enrol-oneroster/v1p1-bulk-minimal": (
        {"CLS_COURSE_UNKNOWN", "CLS_SCHOOL_NOT_SCHOOL", "CLS_VALUE_CASE", "USR_VALUE_CASE"},
        {"users": 6, "classes": 2},
    ),
    "moodle-enrol-oneroster/v1p1-mixed-full": (
        {
            "SES_STATUS_MAPPED",
            "MANIFEST_MODE_CONFLICT",
            "ORG_PARENT_UNKNOWN",
            "SES_PARENT_UNKNOWN",
            "CLS_COURSE_UNKNOWN",
            "USR_AGENT_NOT_GUARDIAN",
        },
        {"users": 6, "enrollments": 6},
    ),
    "moodle-enrol-oneroster/v1p2-mixed-full": (
        {"MANIFEST_VALUE_INVALID", "FILE_NOT_LOADED", "USR_DATE_INVALID"},
        {"user_roles": 7, "users": 6},
    ),
    "moodle-enrol-oneroster/v1p2-delta-min": (
        {"FILE_NOT_LOADED"},
        {"users": 1, "user_roles": 1, "demographics": 1, "enrollments": 1},
    ),
    "msft-sds-v2p1": (
        {"FILE_UNKNOWN", "MANIFEST_MISSING", "ENR_ROLE_INVALID", "USR_ROLE_MISSING"},
        {"orgs": 4},
    ),
    "oneroster-sync-net/base": (
        {
            "CLS_SCHOOL_UNKNOWN",
            "USR_ORG_UNKNOWN",
            "CLS_TERM_UNKNOWN",
            "SES_DATE_INVALID",
            "CRS_SCHOOL_YEAR_UNKNOWN",
        },
        {"courses": 4},
    ),
    "oneroster-sync-net/Step4-AddClass": ({"CLS_SCHOOL_NOT_SCHOOL"}, {"classes": 3}),
}


@needs_conformance
@pytest.mark.parametrize("name", sorted(CONFORMANCE_EXPECTED))
def test_conformance_set_materializes_with_expected_findings(name, tmp_path):
    db = tmp_path / "roster.duckdb"
    result = materialize(CONFORMANCE / name, db)
    assert result.success
    assert_checks_pass(result)
    codes, rows = CONFORMANCE_EXPECTED[name]
    assert codes <= finding_codes(db)
    for name_, expected in rows.items():
        assert table(db, f"SELECT count(*) FROM {name_}") == [(expected,)], name_
    accounting = table(
        db, "SELECT count(*) FROM batch_files WHERE rows_read <> rows_applied + rows_rejected"
    )
    assert accounting == [(0,)]


@needs_conformance
def test_every_conformance_folder_materializes(tmp_path):
    folders = sorted({p.parent for p in CONFORMANCE.rglob("*.csv")})
    assert len(folders) >= 10
    for i, folder in enumerate(folders):
        assert materialize(folder, tmp_path / f"{i}.duckdb").success, folder


@needs_conformance
def test_sync_net_sequence_follows_bulk_snapshots(tmp_path):
    db = tmp_path / "roster.duckdb"
    base = CONFORMANCE / "oneroster-sync-net"
    counts = []
    for step in ("base", "Step1-UpdateCourse", "Step2-AddCourse", "Step3-DeleteCourse"):
        assert materialize(base / step, db).success
        counts.append(table(db, "SELECT count(*) FROM courses")[0][0])
        if step.startswith("Step1"):
            assert table(db, "SELECT status FROM courses WHERE sourced_id = '10009'") == [
                ("tobedeleted",)
            ]
    assert counts == [4, 5, 5, 5]  # a course missing from a bulk file is deactivated, not deleted
    assert table(db, "SELECT status FROM courses WHERE sourced_id = '10009'") == [("tobedeleted",)]
    assert table(db, "SELECT count(*) FROM batches") == [(4,)]


FINDINGS_BEFORE_GROUPING = {
    "lepo-roster-hub/en": 6,
    "lepo-roster-hub/ja": 6,
    "moodle-enrol-oneroster/v1p1-bulk-minimal": 13,
    "moodle-enrol-oneroster/v1p1-mixed-full": 31,
    "moodle-enrol-oneroster/v1p2-delta-min": 2,
    "moodle-enrol-oneroster/v1p2-mixed-full": 41,
    "msft-sds-v2p1": 22,
    "oneroster-sync-net/Step1-UpdateCourse": 36,
    "oneroster-sync-net/Step2-AddCourse": 35,
    "oneroster-sync-net/Step3-DeleteCourse": 34,
    "oneroster-sync-net/Step4-AddClass": 36,
    "oneroster-sync-net/base": 34,
}
"""Findings per conformance set before notices were grouped (commit b17911c)."""


@needs_conformance
@pytest.mark.parametrize("name", sorted(FINDINGS_BEFORE_GROUPING))
def test_conformance_findings_fall_and_every_message_says_something(name, tmp_path):
    from roster_pipeline.sync.run import sync_folder
    from roster_pipeline.sync.settings import SyncSettings
    from roster_pipeline.warehouse import Warehouse

    db = tmp_path / "r.duckdb"
    assert sync_folder(CONFORMANCE / name, Warehouse(db), SyncSettings()).status == "applied"
    total, secrets = table(
        db, "SELECT count(*), count(*) FILTER (code = 'FILE_SECRET_DROPPED') FROM findings"
    )[0]
    # a set whose users.csv carries passwords gains the one notice that says they were dropped
    assert total - secrets <= FINDINGS_BEFORE_GROUPING[name]
    assert table(db, "SELECT count(*) FROM findings WHERE coalesce(message, '') = ''") == [(0,)]


def test_resent_sample_is_carried_over_through_the_assets(tmp_path):
    """The same export dropped again the next day: its run carries the first one's result over
    (nothing read again), with the same findings, counts and passing checks."""
    db = tmp_path / "roster.duckdb"
    shutil.copytree(SAMPLE, tmp_path / "drop" / "monday")
    shutil.copytree(SAMPLE, tmp_path / "drop" / "tuesday")
    first = materialize(tmp_path / "drop" / "monday", db)
    again = materialize(tmp_path / "drop" / "tuesday", db)
    assert first.success and again.success
    assert_checks_pass(first)
    assert again.get_asset_check_evaluations() == []  # no table changed: nothing to judge anew
    plans = [
        {
            m.asset_key.to_user_string(): m.metadata
            for m in r.asset_materializations_for_node("roster_sync")
        }["sync_plan"]
        for r in (first, again)
    ]
    assert plans[0]["carried_over_from"].value == ""
    assert plans[1]["carried_over_from"].value == plans[0]["batch_id"].value
    assert "carried over" in plans[1]["summary"].value
    assert plans[1].get("changes_created") is None
    per_batch = table(db, "SELECT batch_id, count(*) FROM findings GROUP BY ALL ORDER BY ALL")
    assert len(per_batch) == 2 and per_batch[0][1] == per_batch[1][1] > 0
    assert table(db, "SELECT max(version) FROM live_versions") == [(2,)]


def test_a_day_two_through_the_assets_recognises_the_rows_it_had(tmp_path):
    """Tuesday's export has one more student: every other row is recognised from Monday's
    batch, and the run's metadata says how many."""
    db = tmp_path / "roster.duckdb"
    monday, tuesday = tmp_path / "drop" / "monday", tmp_path / "drop" / "tuesday"
    shutil.copytree(SAMPLE, monday)
    shutil.copytree(SAMPLE, tuesday)
    users = (tuesday / "users.csv").read_text()
    line = next(r for r in users.splitlines()[1:] if ",student," in r)
    (tuesday / "users.csv").write_text(users + line.replace(line.split(",")[0], "new-1", 1) + "\n")
    results = [materialize(folder, db) for folder in (monday, tuesday)]
    assert all(r.success for r in results)
    plans = [
        {
            m.asset_key.to_user_string(): m.metadata
            for m in r.asset_materializations_for_node("roster_sync")
        }["sync_plan"]
        for r in results
    ]
    assert plans[0]["rows_recognised"].value == 0
    recognised = plans[1]["rows_recognised"].value
    [(read,)] = table(db, "SELECT min(rows_read) FROM batches")
    assert 0.5 * read < recognised < read
    assert f"{recognised:,} rows were recognised" in plans[1]["summary"].value
    # Monday's rows the memo knows to be live records: not compared (those with a finding are)
    assert plans[0]["records_not_compared"].value == 0
    not_compared = plans[1]["records_not_compared"].value
    assert 0.5 * recognised < not_compared <= recognised
    assert f"{not_compared:,} records were known to stay as they are" in plans[1]["summary"].value
    assert plans[1]["changes_created"].value >= 1
