"""A change set counted per entity and change, and its order-free fingerprint."""

import duckdb

from roster_pipeline.sync import change_counts, changes

ROWS = [
    ("users", "u1", "created", None, None, None, True, None),
    ("users", "u2", "updated", "email", "a", "b", True, None),
    ("users", "u2", "updated", "sms", "1", "2", True, None),
    ("users", "u3", "updated", "email", "c", "d", False, "kept"),
    ("classes", "c1", "archived", "status", "active", "tobedeleted", True, None),
]


def _change_set(rows):
    con = duckdb.connect()
    changes.start(con)
    con.executemany(f"INSERT INTO {changes.CHANGE_ROWS} VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute(
        "CREATE TEMP TABLE entity_sizes (entity VARCHAR, live_active BIGINT, next_rows BIGINT)"
    )
    con.execute("INSERT INTO entity_sizes VALUES ('users', 9, 10), ('classes', 4, 4)")
    return con


def test_records_are_counted_once_per_change_and_the_rest_unchanged():
    counts = change_counts.count(_change_set(ROWS))
    got = {(e, c): n for e, c, n in counts.counts.iter_rows()}
    # u2's two updated fields are one updated record; u3's refused change is skipped, and
    # unchanged is every next record not created or changed (a skipped one stays as it is)
    assert got == {
        ("users", "created"): 1,
        ("users", "updated"): 1,
        ("users", "skipped"): 1,
        ("users", "unchanged"): 8,
        ("classes", "archived"): 1,
        ("classes", "unchanged"): 3,
    }
    assert counts.totals()["updated"] == 1


def test_the_digest_ignores_order_and_tells_a_value_apart():
    digest = change_counts.digest(_change_set(ROWS))
    assert change_counts.digest(_change_set(list(reversed(ROWS)))) == digest
    changed = [*ROWS[:1], ("users", "u2", "updated", "email", "a", "B", True, None), *ROWS[2:]]
    assert change_counts.digest(_change_set(changed)) != digest
    assert digest.startswith("5:")
