import zipfile

import roster_pipeline.intake.batch as batch_module
from roster_pipeline.intake.batch import identify, read_batch
from roster_pipeline.intake.source import open_source
from roster_pipeline_tests.conftest import ORGS, SAMPLE, write_batch


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


def test_identify_names_the_batch_as_read_batch_does_without_parsing(tmp_path, monkeypatch):
    """A folder and a zip of it: the same id and files (sha256 too) as reading them, hashed in
    pieces smaller than the files."""
    monkeypatch.setattr(batch_module, "HASH_PIECE", 1000)
    archive = tmp_path / "sample.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(SAMPLE.iterdir()):
            out.write(path, path.name)
        out.writestr("notes.txt", "not a roster file")
    for batch in (SAMPLE, archive):
        read = read_batch(batch)
        batch_id, files = identify(open_source(batch))
        assert batch_id == read.batch_id
        assert files == read.files
        assert max(f.size for f in files) > 1000
