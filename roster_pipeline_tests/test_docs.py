"""The docs cannot rot: every code is documented, every example query runs on the sample."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from roster_pipeline.devtools import findings_doc
from roster_pipeline.findings import FILE_CODES, ROW_SUFFIXES
from roster_pipeline.uploads.guardians.upload import run_upload
from roster_pipeline.warehouse import Warehouse
from roster_pipeline_tests.conftest import PROJECT, SAMPLE, load_batch

DOCS = PROJECT / "docs"


def test_every_finding_code_is_documented():
    text = (DOCS / "findings.md").read_text()
    missing = [c for c in [*FILE_CODES, *ROW_SUFFIXES] if f"`{c}`" not in text]
    assert missing == []
    assert text == findings_doc.render(), "run: python -m roster_pipeline.devtools.findings_doc"


def second_day(folder: Path) -> Path:
    """The sample's next export, as a district would send it: a guardian's new mobile, a class
    gone from classes.csv, and a new student with a malformed email."""
    shutil.copytree(SAMPLE, folder)
    users = (folder / "users.csv").read_text()
    users = users.replace(
        "parent0a@mail.example.org,(702) 267-4574", "parent0a@mail.example.org,(702) 267-4999"
    )
    users += "0009999,sch001,student,New,Student,not-an-email,,,,05,\n"
    (folder / "users.csv").write_text(users)
    classes = (folder / "classes.csv").read_text().splitlines(keepends=True)
    gone = classes[-2].split(",")[0]
    (folder / "classes.csv").write_text("".join(classes[:-2] + classes[-1:]))
    enrollments = (folder / "enrollments.csv").read_text().splitlines(keepends=True)
    kept = [line for line in enrollments if f",{gone}," not in line]
    (folder / "enrollments.csv").write_text("".join(kept))
    return folder


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    """The sample's first day, the guardians upload, then a second day."""
    folder = tmp_path_factory.mktemp("docs")
    db = folder / "roster.duckdb"
    load_batch(SAMPLE, db, sync_manages_guardians=False)
    guardians = PROJECT / "data" / "guardians.csv"
    run_upload(guardians, Warehouse(db), mode="apply", results_dir=folder / "results")
    load_batch(second_day(folder / "day2"), db, sync_manages_guardians=False)
    return db


GUIDE = (DOCS / "analysts.md").read_text()
QUERIES = re.findall(r"```sql\n(.*?)```", GUIDE, flags=re.S)


def test_the_guide_has_ten_worked_queries():
    assert len(QUERIES) >= 10


def test_every_published_table_is_in_the_guide(sample_db):
    with duckdb.connect(str(sample_db), read_only=True) as con:
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE NOT temporary"
        ).fetchall()
        columns = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() "
            "WHERE schema_name = 'main' AND NOT internal"
        ).fetchall()
    assert {t for s, t in tables if s == "main"} >= {"users", "sync_runs", "change_log_entries"}
    missing = [t for s, t in tables if s == "main" and f"`{t}`" not in GUIDE]
    assert missing == []
    assert "`history.<table>`" in GUIDE
    assert "`history.<table>_versions`" in GUIDE and "`history.bases.version`" in GUIDE
    assert "`history.<table>_since`" in GUIDE
    undocumented = sorted(
        f"{t}.{c}" for t, c in columns if c not in GUIDE and c not in ("extensions", "_row_hash")
    )
    assert undocumented == []


CLI = Path(sys.executable).parent / "duckdb"


@pytest.mark.parametrize("sql", QUERIES, ids=[f"query{i}" for i in range(len(QUERIES))])
def test_example_query_runs_in_the_duckdb_command_line_client(sql, sample_db):
    assert "duckdb -readonly data/roster.duckdb" in GUIDE  # the guide's first step
    done = subprocess.run(
        [str(CLI), "-readonly", "-csv", str(sample_db), "-c", sql],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.strip().splitlines()) >= 2  # a header and at least one row


@pytest.mark.parametrize("sql", QUERIES, ids=[f"query{i}" for i in range(len(QUERIES))])
def test_example_query_runs_on_the_sample(sql, sample_db):
    with duckdb.connect(str(sample_db), read_only=True) as con:
        rows = con.execute(sql).fetchall()
    assert rows, "every worked query shows something on the sample's two days"
