"""One runner, one failure policy: what every entry point says of a run."""

import shutil

import pytest

from roster_pipeline.runner.policy import POLICY
from roster_pipeline.runner.sync_runner import run_sync
from roster_pipeline.settings.load import load_district
from roster_pipeline_tests.conftest import SAMPLE, write_batch


@pytest.fixture
def settings(tmp_path):
    return load_district(overrides={"duckdb_path": str(tmp_path / "r.duckdb")})


def test_an_applied_batch_with_rejected_rows_succeeds_flagged(settings):
    run = run_sync(SAMPLE, settings)  # the sample has deliberate mistakes
    assert run.status == "applied with errors" and run.ok and run.verdict.needs_people
    assert "rows were rejected" in run.message()
    assert run.report.workbook.exists() and run.report.plot.exists()


def test_a_clean_batch_applies_and_a_preview_previews(settings, tmp_path):
    clean = write_batch(
        tmp_path / "clean",
        {
            "orgs.csv": "sourcedId,name,type\nd1,District,district\ns1,School,school\n",
            "users.csv": "sourcedId,orgSourcedIds,role,givenName,familyName\n"
            "u1,s1,student,Ana,Lee\n",
        },
    )
    assert run_sync(clean, settings, mode="preview").status == "previewed"
    run = run_sync(clean, settings)
    assert run.status == "applied" and run.ok and not run.verdict.needs_people


def test_a_held_batch_fails_and_says_how_to_go_on(settings, tmp_path):
    run_sync(SAMPLE, settings)
    truncated = tmp_path / "truncated"
    shutil.copytree(SAMPLE, truncated)
    lines = (truncated / "users.csv").read_text().splitlines(keepends=True)
    (truncated / "users.csv").write_text("".join(lines[:20]))
    run = run_sync(truncated, settings)
    assert run.status == "held" and not run.ok and run.verdict.exit_code == 1
    assert "action: approve" in run.message()


def test_a_refused_run_fails_with_the_reason(settings):
    run = run_sync(SAMPLE, settings, action="approve")  # nothing is held
    assert run.status == "refused" and not run.ok and run.verdict.exit_code == 2
    assert run.outcome is None and "is not held" in run.message()


def test_a_batch_that_is_not_a_roster_is_rejected(settings, tmp_path):
    folder = write_batch(tmp_path / "sds", {"School.csv": "SIS ID,Name\n1,North\n"})
    run = run_sync(folder, settings)
    assert run.status == "rejected" and not run.ok
    assert "No roster file could be used" in run.message()


def test_the_policy_names_every_outcome_a_sync_can_have():
    from roster_pipeline.sync.run_record import REJECTED

    statuses = {"applied", "previewed", "held", "discarded", REJECTED}
    assert statuses <= set(POLICY)
    assert {s for s, v in POLICY.items() if not v.ok} == {"held", "rejected", "refused"}
