"""The change set compared record by record: an update per field that changed."""

import duckdb
import pytest

from roster_pipeline.sync import change_counts, changes
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
    changes.start(con)
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
    changes.start(con)
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


def test_a_first_load_beside_a_live_table_shows_both_in_the_change_set():
    con = duckdb.connect()
    fields = changes.COMPARED["users"]
    columns = ", ".join(f'"{f}" VARCHAR' for f in fields)
    con.execute(
        f"CREATE TABLE main.users (sourced_id VARCHAR, status VARCHAR, batch_id VARCHAR, "
        f"date_last_modified VARCHAR, extensions VARCHAR, {columns})"
    )
    con.execute("INSERT INTO main.users (sourced_id, status, email) VALUES ('u1', 'active', 'a')")
    con.execute("CREATE TEMP TABLE next_users AS SELECT * FROM main.users")
    con.execute("UPDATE next_users SET email = 'b'")
    con.execute("CREATE TEMP TABLE next_orgs AS SELECT 'o1' AS sourced_id, 'active' AS status")
    changes.start(con)
    changes.compute(
        con,
        {"orgs": "(SELECT * FROM next_orgs)", "users": "(SELECT * FROM next_users)"},
        next_links=EMPTY_LINKS,
        old_links=EMPTY_LINKS,
    )
    rows = con.execute(
        "SELECT entity, sourced_id, change, field, old_value, new_value FROM change_set ORDER BY 1"
    ).fetchall()
    assert rows == [
        ("orgs", "o1", "created", None, None, None),
        ("users", "u1", "updated", "email", "a", "b"),
    ]
    counts = change_counts.count(con)
    assert (counts.n("orgs", "created"), counts.n("users", "updated")) == (1, 1)
    # the view adds no row to the table the changes found go into
    assert con.execute(f"SELECT count(*) FROM {changes.CHANGE_ROWS}").fetchall() == [(1,)]
    assert change_counts.digest(con).startswith("2:")
