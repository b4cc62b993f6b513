"""The docs cannot rot: every code is documented, every example query runs on the sample."""

import re
from pathlib import Path

import duckdb
import pytest

from roster_pipeline import findings_doc
from roster_pipeline.findings import FILE_CODES, ROW_SUFFIXES
from roster_pipeline.guardians.upload import run_upload
from roster_pipeline.load import load_batch
from roster_pipeline.warehouse import Warehouse
from roster_pipeline_tests.conftest import PROJECT, SAMPLE

DOCS = PROJECT / "docs"


def test_every_finding_code_is_documented():
    text = (DOCS / "findings.md").read_text()
    missing = [c for c in [*FILE_CODES, *ROW_SUFFIXES] if f"`{c}`" not in text]
    assert missing == []
    assert text == findings_doc.render(), "run: python -m roster_pipeline.findings_doc"


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("docs")
    db = folder / "roster.duckdb"
    load_batch(SAMPLE, db, manage_guardians=False)
    guardians = PROJECT / "data" / "guardians.csv"
    run_upload(guardians, Warehouse(db), mode="apply", results_dir=folder / "results")
    return db


QUERIES = re.findall(r"```sql\n(.*?)```", (DOCS / "tables.md").read_text(), flags=re.S)


def test_docs_have_example_queries():
    assert len(QUERIES) >= 7


@pytest.mark.parametrize("sql", QUERIES, ids=[f"query{i}" for i in range(len(QUERIES))])
def test_example_query_runs_on_the_sample(sql, sample_db):
    with duckdb.connect(str(sample_db), read_only=True) as con:
        rows = con.execute(sql).fetchall()
    assert isinstance(rows, list)
