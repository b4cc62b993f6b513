"""The staged state written as the live tables: whole on a first load, only what changed after."""

import duckdb
import pytest

from roster_pipeline.resolve.apply_batch import stage_batch
from roster_pipeline.resolve.live_write import REPLACED, WRITTEN, write_live
from roster_pipeline.resolve.row_memo import read_validated
from roster_pipeline.sync import changes
from roster_pipeline.sync.settings import SyncSettings
from roster_pipeline.warehouse import Warehouse
from roster_pipeline_tests.conftest import CLASSES, ENROLLMENTS, ORGS, USERS, write_batch

SETTINGS = SyncSettings(tenant_id="t1")


def _write(db, folder, *, keep: bool) -> dict:
    """Stage, plan and write ``folder`` into ``db``; the tables written (and what else)."""
    with Warehouse(db).writer() as con:
        validated = read_validated(con, folder, "US", None, None, None)
        stage_batch(con, validated.batch, validated.files)
        changes.plan(con, SETTINGS)
        result = write_live(
            con, validated.batch, validated.files, tenant_id="t1", keep_unchanged_batch=keep
        )
        kept = {}
        for table in result.rewritten_changed_only:
            if table == "users":
                kept = {
                    "replaced": con.sql(
                        f"SELECT sourced_id, family_name FROM {REPLACED.format(table=table)}"
                    ).fetchall(),
                    "written": con.sql(
                        f"SELECT sourced_id, family_name FROM {WRITTEN.format(table=table)}"
                    ).fetchall(),
                }
        return {"changed_only": result.rewritten_changed_only, **kept, "rows": result.table_rows}


def _batch(folder, users: str):
    return write_batch(
        folder,
        {
            "orgs.csv": ORGS,
            "users.csv": users,
            "classes.csv": CLASSES,
            "enrollments.csv": ENROLLMENTS,
        },
    )


@pytest.mark.parametrize("keep", [True, False])
def test_a_first_load_is_written_whole(tmp_path, keep):
    written = _write(tmp_path / "w.duckdb", _batch(tmp_path / "mon", USERS), keep=keep)
    assert written["changed_only"] == ()  # no live table yet: nothing to keep
    assert written["rows"]["users"] == 5 and written["rows"]["enrollments"] == 3


def test_a_day_rewrites_only_the_records_it_changed(tmp_path):
    db = tmp_path / "w.duckdb"
    _write(db, _batch(tmp_path / "mon", USERS), keep=True)
    with duckdb.connect(str(db), read_only=True) as con:
        monday = dict(con.sql("SELECT sourced_id, batch_id FROM users").fetchall())
    renamed = USERS.replace("t1,00417,teacher,Eve,Lee,", "t1,00417,teacher,Eve,Lee-Park,")
    written = _write(db, _batch(tmp_path / "tue", renamed), keep=True)
    # the one record that changed was replaced; the rows it replaced and wrote are kept
    assert "users" in written["changed_only"]
    assert written["replaced"] == [("t1", "Lee")]
    assert written["written"] == [("t1", "Lee-Park")]
    with duckdb.connect(str(db), read_only=True) as con:
        tuesday = dict(con.sql("SELECT sourced_id, batch_id FROM users").fetchall())
        assert con.sql("SELECT family_name FROM users WHERE sourced_id = 't1'").fetchall() == [
            ("Lee-Park",)
        ]
    assert tuesday.keys() == monday.keys()
    # every other record keeps the batch that last changed it
    assert {k for k in monday if tuesday[k] != monday[k]} == {"t1"}
