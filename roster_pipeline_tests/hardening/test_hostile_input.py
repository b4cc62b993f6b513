"""Hostile and broken files, generated here: a finding or a refusal, never a traceback or a loss.

Every case is a users.csv beside a good orgs.csv, loaded end to end. For each: no exception, no
file written outside the batch and database folders, and every row accounted for (rows read =
rows applied + rows rejected, and every rejected row has an error finding).
"""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import polars as pl
import pytest

from roster_pipeline.resolve.row_memo import memo_path
from roster_pipeline.sync.drop_folder import batch_folder
from roster_pipeline_tests.conftest import ORGS, load_batch, write_batch

HEADER = "sourcedId,orgSourcedIds,role,givenName,familyName,email,sms\n"
GOOD = "0001,00417,student,Ana,Lee,ana@school.org,\n"


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("users.csv", HEADER + GOOD)
    return buffer.getvalue()


CASES: dict[str, bytes] = {
    "random bytes": random.Random(1).randbytes(20_000),
    "binary (png)": b"\x89PNG\r\n\x1a\n" + random.Random(2).randbytes(4_000),
    "zip renamed .csv": _zip(),
    "0-byte file": b"",
    "header only": HEADER.encode(),
    "100,000 columns": (
        ",".join(["sourcedId", "givenName", "familyName"] + [f"x{i}" for i in range(99_997)])
        + "\n"
        + ",".join(["0001", "Ana", "Lee"] + ["v"] * 99_997)
        + "\n"
    ).encode(),
    "10 MB single field": (HEADER + "0001,00417,student,Ana," + "L" * 10_000_000 + ",,\n").encode(),
    "unbalanced quotes": (HEADER + GOOD + '0002,00417,student,"Ben,Ng,ben@school.org,\n'
                          + "0003,00417,student,Cy,Do,,\n").encode(),
    "NUL bytes": (HEADER + "0001,00417,student,A\x00na,Lee,,\n" + GOOD.replace("01", "4")).encode(),
    "mixed encodings": HEADER.encode() + "0001,00417,student,José,Lee,,\n".encode()
    + "0002,00417,student,Zoë,Ng,,\n".encode("cp1252"),
    "UTF-16 with BOM": (HEADER + GOOD).encode("utf-16"),
    "duplicate header names": (
        b"sourcedId,givenName,givenName,familyName\n0001,Ana,Anna,Lee\n"
    ),
    "ids in scientific notation": (HEADER + "4.17E+02,00417,student,Ana,Lee,,\n").encode(),
    "formula-looking cells": (
        HEADER + '0001,00417,student,"=HYPERLINK(""http://x"")",+1,@SUM(A1),-2\n'
    ).encode(),
    "SQL-looking values": (
        HEADER + "0001,00417,student,'); DROP TABLE users;--,\" OR 1=1 --,x@y.org,\n"
    ).encode(),
}  # fmt: skip


def _files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("content", CASES.values(), ids=list(CASES))
def test_hostile_file_gives_findings_and_loses_no_row(content, tmp_path, monkeypatch):
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # a write to a relative path would land here
    batch = write_batch(tmp_path / "batch", {"orgs.csv": ORGS, "users.csv": content})
    before = _files_under(tmp_path)
    db = tmp_path / "db" / "roster.duckdb"

    outcome = load_batch(batch, db, results_dir=str(db.parent))  # the workbook beside the file

    assert outcome.status == "applied"
    assert not any(elsewhere.iterdir())
    written = _files_under(tmp_path) - before
    # beside the file: the workbook, and the row memo in its own folder (memo_path)
    assert all(p.parent == db.parent or p.is_relative_to(memo_path(db)) for p in written)
    users = outcome.files.filter(pl.col("kind") == "users").row(0, named=True)
    assert users["rows_read"] == users["rows_applied"] + users["rows_rejected"]
    found = outcome.findings.filter(pl.col("file") == "users.csv")
    errors = found.filter(pl.col("severity") == "error")
    file_level = errors.filter(pl.col("line").is_null()).height
    lines_with_errors = errors["line"].drop_nulls().n_unique()
    assert users["rows_rejected"] <= lines_with_errors or file_level
    if users["rows_applied"] == 0 and users["rows_read"] == 0:
        assert found.height, "a file that yields nothing says why"


def test_scientific_notation_id_is_reported_with_a_hint(tmp_path):
    batch = write_batch(
        tmp_path / "b", {"orgs.csv": ORGS, "users.csv": HEADER + "4.17E+02,00417,student,A,B,,\n"}
    )
    outcome = load_batch(batch, tmp_path / "r.duckdb")
    messages = outcome.findings.filter(pl.col("file") == "users.csv")["message"].to_list()
    assert any("scientific" in m.lower() or "spreadsheet" in m.lower() for m in messages)


def test_sql_looking_values_are_stored_as_text(tmp_path):
    import duckdb

    value = "'); DROP TABLE users;--"
    batch = write_batch(
        tmp_path / "b",
        {"orgs.csv": ORGS, "users.csv": HEADER + f"0001,00417,student,{value},Lee,,\n"},
    )
    load_batch(batch, tmp_path / "r.duckdb")
    with duckdb.connect(str(tmp_path / "r.duckdb"), read_only=True) as con:
        assert con.execute("SELECT given_name FROM users").fetchall() == [(value,)]


@pytest.mark.parametrize("name", ["../../etc", "..", "a/../../b", "/etc", ".hidden", "x" * 200])
def test_path_looking_batch_names_are_refused(name, tmp_path):
    with pytest.raises(ValueError, match="not a batch folder name"):
        batch_folder(tmp_path / "drop", name)
    assert (
        batch_folder(tmp_path / "drop", "2026-11-23")
        == (tmp_path / "drop" / "2026-11-23").resolve()
    )
