"""The change set compared record by record: an update per field that changed."""

import duckdb
import pytest

from roster_pipeline.sync import changes
from roster_pipeline.sync.link_changes import EMPTY_LINKS


@pytest.mark.parametrize("table", ["users", "enrollments", "orgs"])
def test_every_compared_field_that_changed_is_an_update_with_both_values(table):
    con = duckdb.connect()
    fields = changes.COMPARED[table]
    columns = ", ".join(f'"{f}" VARCHAR' for f in fields)
    con.execute(
        f"CREATE TABLE main.{table} (sourced_id VARCHAR, status VARCHAR, batch_id VARCHAR, "
        f"date_last_modified VARCHAR, extensions VARCHAR, {columns})"
    )
    old = ", ".join(f"'old {f}'" for f in fields)
    con.execute(f"INSERT INTO main.{table} VALUES ('a', 'active', 'b1', NULL, NULL, {old})")
    con.execute(f"INSERT INTO main.{table} VALUES ('b', 'active', 'b1', NULL, NULL, {old})")
    con.execute(f"CREATE TEMP TABLE next_rows AS SELECT * FROM main.{table}")
    # every field of a changes; b stays as it is
    con.execute(
        "UPDATE next_rows SET "
        + ", ".join(f"\"{f}\" = 'new {f}'" for f in fields)
        + " WHERE sourced_id = 'a'"
    )
    con.execute(changes.CREATE_CHANGE_SET)
    changes.compute(
        con, {table: "(SELECT * FROM next_rows)"}, next_links=EMPTY_LINKS, old_links=EMPTY_LINKS
    )
    rows = con.execute(
        "SELECT sourced_id, change, field, old_value, new_value FROM change_set "
        "WHERE entity = ? ORDER BY field",
        [table],
    ).fetchall()
    assert rows == [("a", "updated", f, f"old {f}", f"new {f}") for f in sorted(fields)]
    changed = con.execute(f"SELECT sourced_id FROM changed_{table}").fetchall()
    assert changed == [("a",)]


def test_a_first_load_creates_every_record_and_leaves_none_unchanged():
    con = duckdb.connect()
    con.execute(
        "CREATE TEMP TABLE next_rows AS SELECT * FROM (VALUES ('00417', 'active'), "
        "('417', 'tobedeleted'), ('a', NULL)) v(sourced_id, status)"
    )
    con.execute(changes.CREATE_CHANGE_SET)
    changes.compute(
        con, {"orgs": "(SELECT * FROM next_rows)"}, next_links=EMPTY_LINKS, old_links=EMPTY_LINKS
    )
    rows = con.execute(
        "SELECT entity, sourced_id, change, field, old_value, new_value, applied FROM change_set "
        "ORDER BY sourced_id"
    ).fetchall()
    assert rows == [("orgs", i, "created", None, None, None, True) for i in ("00417", "417", "a")]
    changed = con.execute("SELECT sourced_id FROM changed_orgs ORDER BY 1").fetchall()
    assert changed == [("00417",), ("417",), ("a",)]
    assert con.execute("SELECT count(*) FROM unchanged_orgs").fetchall() == [(0,)]
    sizes = con.execute("SELECT * FROM entity_sizes WHERE entity = 'orgs'").fetchall()
    assert sizes == [("orgs", 0, 3)]
