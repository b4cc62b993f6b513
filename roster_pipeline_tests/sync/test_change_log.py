"""change_log: entries and one row per version behind a view with the columns it always had."""

from __future__ import annotations

from roster_pipeline.devtools.generate import generate, write
from roster_pipeline.devtools.next_day import next_day
from roster_pipeline.sync.run import sync_folder
from roster_pipeline.sync.settings import SyncSettings, Thresholds
from roster_pipeline.warehouse import Warehouse

SETTINGS = SyncSettings(
    tenant_id="district-9",
    thresholds=Thresholds(deactivate_pct=100, update_pct=100, truncated_ratio=0),
)
COLUMNS = [
    "batch_id",
    "run_id",
    "tenant_id",
    "application_id",
    "version",
    "entity",
    "sourced_id",
    "change",
    "field",
    "old_value",
    "new_value",
    "changed_at",
]


def _two_days(tmp_path, students: int, seed: int, every: int) -> Warehouse:
    """A district's day 0 and its next day (every ``every``-th record changed) under tmp_path."""
    files = generate(students, seed=seed)
    write(files, tmp_path / "day0")
    write(next_day(files, every=every), tmp_path / "day1")
    return Warehouse(tmp_path / "r.duckdb")


def test_every_change_of_a_version_carries_its_batch_run_and_tenant(tmp_path):
    store = _two_days(tmp_path, 150, seed=5, every=10)
    first = sync_folder(tmp_path / "day0", store, SETTINGS)
    second = sync_folder(tmp_path / "day1", store, SETTINGS)
    with store.reader() as con:
        relation = con.sql("SELECT * FROM change_log")
        assert relation.columns == COLUMNS
        per_version = con.execute(
            "SELECT version, batch_id, run_id, tenant_id, count(*), "
            "count(*) FILTER (WHERE change = 'created') FROM change_log GROUP BY ALL ORDER BY 1"
        ).fetchall()
        users = con.execute("SELECT count(*) FROM users").fetchall()[0][0]
        entries = con.execute("SELECT count(*) FROM change_log_entries").fetchall()[0][0]
    (v1, b1, r1, t1, n1, created1), (v2, b2, r2, t2, n2, _) = per_version
    assert (v1, b1, r1, t1) == (first.version, first.batch_id, first.run_id, "district-9")
    assert (v2, b2, r2, t2) == (second.version, second.batch_id, second.run_id, "district-9")
    assert created1 == n1 >= users  # a first load creates every record, links included
    assert n1 == first.counts.totals()["created"]
    assert entries == n2 and n2 > 0  # the first load's records are where history starts


def _created(con, version: int) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT entity, sourced_id FROM change_log WHERE version = ? AND change = 'created' "
        "ORDER BY ALL",
        [version],
    ).fetchall()


def test_a_first_load_creates_its_records_once_and_later_versions_do_not_change_them(tmp_path):
    store = _two_days(tmp_path, 150, seed=8, every=7)
    first = sync_folder(tmp_path / "day0", store, SETTINGS)
    with store.reader() as con:
        live = con.execute(
            "SELECT 'users', sourced_id FROM users UNION ALL SELECT 'enrollments', sourced_id "
            "FROM enrollments UNION ALL SELECT 'classes', sourced_id FROM classes "
            "UNION ALL SELECT 'orgs', sourced_id FROM orgs UNION ALL SELECT 'guardian_links', "
            "student_sourced_id || '/' || guardian_sourced_id FROM student_guardians "
            "WHERE source = 'roster' ORDER BY ALL"
        ).fetchall()
        created = _created(con, first.version)
        loads = con.execute("SELECT entity FROM change_log_loads ORDER BY 1").fetchall()
        stored = con.execute("SELECT count(*) FROM change_log_entries").fetchall()[0][0]
    assert {e for e, _ in live} <= {e for e, _ in created}
    assert set(live) <= set(created) and len(created) == len(set(created))
    assert len(created) == first.counts.totals()["created"]
    assert ("guardian_links",) in loads and ("users",) in loads and stored == 0
    second = sync_folder(tmp_path / "day1", store, SETTINGS)
    with store.reader() as con:
        again = _created(con, first.version)
        new = _created(con, second.version)
        changed = con.execute(
            "SELECT count(*) FROM change_log WHERE version = ? AND change <> 'created'",
            [second.version],
        ).fetchall()[0][0]
    assert again == created  # records changed or added since: still created once, by day 0
    assert new and not set(new) & set(created) and changed > 0
    assert len(new) == second.counts.totals()["created"]


def test_a_change_log_stored_whole_by_an_earlier_release_carries_on(tmp_path):
    store = _two_days(tmp_path, 120, seed=3, every=10)
    sync_folder(tmp_path / "day0", store, SETTINGS)
    with store.writer() as con:  # the earlier layout: one table, every column on every row
        con.execute("CREATE TABLE whole AS SELECT * FROM change_log")
        con.execute("DROP VIEW change_log")
        con.execute("DROP TABLE change_log_entries")
        con.execute("DROP TABLE change_log_runs")
        con.execute("DROP TABLE change_log_loads")
        con.execute("ALTER TABLE whole RENAME TO change_log")
        before = con.execute("SELECT * FROM change_log ORDER BY ALL").fetchall()
    second = sync_folder(tmp_path / "day1", store, SETTINGS)
    with store.reader() as con:
        kept = con.execute(
            "SELECT * FROM change_log WHERE version < ? ORDER BY ALL", [second.version]
        ).fetchall()
        added = con.execute(
            "SELECT count(*) FROM change_log WHERE version = ?", [second.version]
        ).fetchall()[0][0]
        kinds = dict(
            con.execute(
                "SELECT table_name, table_type FROM information_schema.tables "
                "WHERE table_name LIKE 'change_log%' AND table_schema = 'main'"
            ).fetchall()
        )
    assert kept == before and len(before) > 0
    assert added > 0
    assert kinds == {
        "change_log": "VIEW",
        "change_log_entries": "BASE TABLE",
        "change_log_loads": "BASE TABLE",
        "change_log_runs": "BASE TABLE",
    }
