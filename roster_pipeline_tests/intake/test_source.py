"""Batches as folders or zips: what is read, what is refused, and the same identity for both."""

import zipfile

from roster_pipeline.intake.batch import read_batch
from roster_pipeline.intake.source import ArchiveLimits, open_source
from roster_pipeline_tests.conftest import ORGS, USERS, write_batch


def _zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as handle:
        for name, data in members.items():
            handle.writestr(name, data)
    return path


def test_members_are_read_from_the_root_or_one_folder_and_archiver_debris_is_skipped(tmp_path):
    archive = _zip(
        tmp_path / "roster.zip",
        {
            "export/orgs.csv": ORGS,
            "export/users.csv": USERS,
            "export/.DS_Store": b"\x00\x01",
            "__MACOSX/export/._users.csv": b"\x00\x05\x16\x07",
            "export/readme.txt": "not a roster file",
        },
    )
    source = open_source(archive)
    assert not source.refused
    assert [m.name for m in source.members] == ["orgs.csv", "users.csv"]
    assert source.members[1].read() == USERS.encode()
    assert source.name == "roster"


def test_a_zip_and_its_folder_are_the_same_batch(tmp_path):
    folder = write_batch(tmp_path / "2026-11-23", {"orgs.csv": ORGS, "users.csv": USERS})
    archive = _zip(tmp_path / "2026-11-23.zip", {"orgs.csv": ORGS, "users.csv": USERS})
    a, b = read_batch(folder), read_batch(archive)
    assert a.batch_id == b.batch_id
    assert [(f.name, f.sha256) for f in a.files] == [(f.name, f.sha256) for f in b.files]
    assert b.archive == "2026-11-23.zip" and a.archive is None
    assert a.raw["users"].frame.equals(b.raw["users"].frame)


def test_each_offending_member_is_one_finding_and_nothing_is_read(tmp_path):
    archive = _zip(
        tmp_path / "bad.zip",
        {"../users.csv": USERS, "/abs/orgs.csv": ORGS, "inner.zip": b"PK\x03\x04"},
    )
    batch = read_batch(archive)
    assert batch.refusal and "Nothing was applied" in batch.refusal
    assert batch.raw == {}
    assert sorted(batch.findings["code"].to_list()) == [
        "ARCHIVE_NESTED",
        "ARCHIVE_PATH_UNSAFE",
        "ARCHIVE_PATH_UNSAFE",
    ]
    assert set(batch.findings["severity"]) == {"error"}


def test_the_ratio_limit_spares_small_members_and_catches_bombs(tmp_path):
    limits = ArchiveLimits(max_ratio=50)
    small = _zip(tmp_path / "small.zip", {"users.csv": USERS + "x" * 50_000})
    assert not open_source(small, limits).refused  # under 1 MiB: any ratio
    bomb = _zip(tmp_path / "bomb.zip", {"users.csv": USERS + "0" * 5_000_000})
    source = open_source(bomb, limits)
    assert source.refused
    assert "zip bomb" in source.findings["message"][0]


def test_a_zip_holding_one_file_twice_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "twice.zip", "w") as handle:
        handle.writestr("users.csv", USERS)
        handle.writestr("Users.csv", USERS.replace("Ana", "Anna"))
    source = open_source(tmp_path / "twice.zip")
    assert source.refused
    assert source.findings["code"].to_list() == ["ARCHIVE_LAYOUT"]
