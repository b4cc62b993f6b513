from roster_pipeline.intake.batch import read_batch
from roster_pipeline_tests.conftest import ORGS, write_batch


def test_batch_id_is_stable_and_changes_with_content(tmp_path):
    a = read_batch(write_batch(tmp_path / "day1", {"orgs.csv": ORGS}))
    b = read_batch(write_batch(tmp_path / "day1", {"orgs.csv": ORGS}))
    assert a.batch_id == b.batch_id and a.batch_id.startswith("day1-")
    c = read_batch(write_batch(tmp_path / "day1", {"orgs.csv": ORGS + "x,X,school\n"}))
    assert c.batch_id != a.batch_id


def test_manifest_problems_are_findings(tmp_path):
    manifest = (
        "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\n"
        "file.orgs,bulk\nfiel.users,bulk\nfile.classes,sometimes\nfile.enrollments,delta\n"
    )
    batch = read_batch(write_batch(tmp_path / "b", {"manifest.csv": manifest, "orgs.csv": ORGS}))
    codes = batch.findings["code"].to_list()
    assert "MANIFEST_KEY_UNKNOWN" in codes  # fiel.users, with a did-you-mean hint
    assert "MANIFEST_VALUE_INVALID" in codes  # sometimes
    assert "MANIFEST_FILE_MISSING" in codes  # enrollments declared delta, not shipped
    hint = batch.findings.filter(batch.findings["code"] == "MANIFEST_KEY_UNKNOWN")["message"][0]
    assert "file.users" in hint
    missing = batch.findings.filter(batch.findings["code"] == "MANIFEST_FILE_MISSING")["message"][0]
    assert "enrollments.csv as delta" in missing
    assert batch.manifest.mode("enrollments") == "delta"


def test_unknown_and_unloaded_files_are_noted(tmp_path):
    batch = read_batch(
        write_batch(
            tmp_path / "b", {"orgs.csv": ORGS, "lineItems.csv": "a\n1\n", "notes.csv": "a\n"}
        )
    )
    assert sorted(batch.findings["code"].to_list()) == [
        "FILE_NOT_LOADED",
        "FILE_UNKNOWN",
        "MANIFEST_MISSING",
    ]
    assert list(batch.raw) == ["orgs"]
