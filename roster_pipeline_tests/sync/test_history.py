"""History: the state after every applied version is exactly what ``history.as_of`` gives back."""

from __future__ import annotations

import duckdb
import pytest

from roster_pipeline.devtools.generate import generate, write
from roster_pipeline.devtools.next_day import next_day
from roster_pipeline.sync import history
from roster_pipeline.sync.restore_version import restore
from roster_pipeline.sync.run import sync_folder
from roster_pipeline.sync.settings import SyncSettings, Thresholds
from roster_pipeline.warehouse import Warehouse

SETTINGS = SyncSettings(
    update_active_contacts=True,
    thresholds=Thresholds(deactivate_pct=100, update_pct=100, truncated_ratio=0),
)


def snapshot(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple]:
    return con.execute(f"SELECT * FROM {relation} ORDER BY ALL").fetchall()


def live_state(store: Warehouse) -> dict[str, list[tuple]]:
    with store.reader() as con:
        tables = [t for t in history.HISTORY_TABLES if history.table_exists(con, t)]
        return {t: snapshot(con, t) for t in tables}


def stored_versions(store: Warehouse) -> int:
    with store.reader() as con:
        return sum(
            con.execute(f"SELECT count(*) FROM history.{t}_versions").fetchall()[0][0]
            for t in history.as_of(con, 1)
        )


def assert_every_version_comes_back(store: Warehouse, seen: dict[int, dict[str, list[tuple]]]):
    with store.reader() as con:
        for version, tables in seen.items():
            for table, rows in tables.items():
                relation = history.as_of(con, version)[table]
                assert snapshot(con, relation) == rows, (version, table)


@pytest.fixture
def daily(tmp_path):
    """Apply a first load and three days of leavers, arrivals and new mobiles; keep each state."""
    store = Warehouse(tmp_path / "r.duckdb")
    files = generate(300, seed=11)
    seen: dict[int, dict[str, list[tuple]]] = {}
    for day in range(4):
        write(files, tmp_path / f"day{day}")
        outcome = sync_folder(tmp_path / f"day{day}", store, SETTINGS)
        assert outcome.status == "applied"
        seen[outcome.version] = live_state(store)
        if day == 0:
            assert stored_versions(store) == 0  # a first load is not copied into the history
        files = next_day(files, every=20)
    assert len(seen) == 4
    return store, seen, files


def test_every_version_of_a_daily_sequence_comes_back_exactly(daily):
    store, seen, _ = daily
    assert_every_version_comes_back(store, seen)
    with store.reader() as con:
        changed = con.execute(
            "SELECT count(*) FROM history.users WHERE valid_to IS NOT NULL"
        ).fetchall()[0][0]
    assert changed > 0  # the days did change users, so closed versions were checked too
    assert 0 < stored_versions(store) < sum(len(rows) for rows in seen[4].values())


def test_restores_and_later_days_keep_every_version(daily, tmp_path):
    store, seen, files = daily
    with store.reader() as con:
        first_batch = con.execute("SELECT batch_id FROM live_versions WHERE version = 1").fetchall()
    first_batch = first_batch[0][0]
    outcome = restore(store, first_batch, SETTINGS)  # records changed twice come back
    seen[outcome.version] = live_state(store)
    assert seen[outcome.version] == {
        t: rows for t, rows in seen[1].items() if t in seen[outcome.version]
    }
    write(files, tmp_path / "day4")
    outcome = sync_folder(tmp_path / "day4", store, SETTINGS)
    seen[outcome.version] = live_state(store)
    assert_every_version_comes_back(store, seen)


def test_a_history_stored_whole_by_an_earlier_release_carries_on(tmp_path):
    store = Warehouse(tmp_path / "r.duckdb")
    files = generate(120, seed=3)
    write(files, tmp_path / "day0")
    first = sync_folder(tmp_path / "day0", store, SETTINGS)
    seen = {first.version: live_state(store)}
    with store.writer() as con:  # the earlier layout: every live row copied, no bases
        for table in history.as_of(con, 1):
            con.execute(f"DROP VIEW history.{table}")
            con.execute(f"DROP TABLE history.{table}_versions")
            con.execute(f"DROP TABLE history.{table}_since")
            con.execute(
                f"CREATE TABLE history.{table} AS SELECT hash(x) AS _row_hash, x.*, "
                f"1::BIGINT AS valid_from, NULL::BIGINT AS valid_to FROM main.{table} x"
            )
        con.execute("DROP TABLE history.bases")
    write(next_day(files, every=10), tmp_path / "day1")
    second = sync_folder(tmp_path / "day1", store, SETTINGS)
    seen[second.version] = live_state(store)
    assert_every_version_comes_back(store, seen)


def test_open_versions_stored_whole_by_an_earlier_release_become_starts(daily, tmp_path):
    store, seen, files = daily
    with store.writer() as con:  # the earlier layout: changed live rows stored whole, open
        for table in history.as_of(con, 1):
            keys = " AND ".join(f"x.{k} = h.{k}" for k in history._keys(table))
            con.execute(
                f"INSERT INTO history.{table}_versions BY NAME SELECT hash(x) AS _row_hash, x.*, "
                f"h.valid_from, NULL::BIGINT AS valid_to FROM main.{table} x "
                f"JOIN history.{table}_since h ON {keys} AND h._row_hash = hash(x)"
            )
            con.execute(f"DROP VIEW history.{table}")
            con.execute(f"DROP TABLE history.{table}_since")
        opened = con.execute(
            "SELECT count(*) FROM history.users_versions WHERE valid_to IS NULL"
        ).fetchall()[0][0]
    assert opened > 0  # the days changed users after the first load
    write(next_day(files, every=20), tmp_path / "day4")
    outcome = sync_folder(tmp_path / "day4", store, SETTINGS)
    seen[outcome.version] = live_state(store)
    assert_every_version_comes_back(store, seen)
    with store.reader() as con:
        still_open = con.execute(
            "SELECT count(*) FROM history.users_versions WHERE valid_to IS NULL"
        ).fetchall()[0][0]
        starts = con.execute("SELECT count(*) FROM history.users_since").fetchall()[0][0]
    assert still_open == 0 and starts >= opened // 2


def test_a_commit_without_the_state_before_the_run_is_refused(daily):
    store, _, _ = daily
    with duckdb.connect(str(store.path)) as con, pytest.raises(history.NoPublishedStateError):
        history.commit_version(con, "by-hand", "roster")


def test_a_column_the_live_table_gains_is_added_to_its_stored_versions(tmp_path):
    store = Warehouse(tmp_path / "r.duckdb")
    files = generate(120, seed=5)
    for day in (0, 1):
        write(files, tmp_path / f"day{day}")
        sync_folder(tmp_path / f"day{day}", store, SETTINGS)
        files = next_day(files, every=7)
    with store.writer() as con:  # an earlier release's links had no ended_at, live or stored
        for relation in ("main.student_guardians", "history.student_guardians_versions"):
            con.execute(f"ALTER TABLE {relation} DROP COLUMN ended_at")
    seen = {}
    for day in (2, 3):  # the sync adds the column to the live links; the history follows
        write(files, tmp_path / f"day{day}")
        version = sync_folder(tmp_path / f"day{day}", store, SETTINGS).version
        seen[version] = live_state(store)
        files = next_day(files, every=7)
    with store.reader() as con:
        stored = con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'history' "
            "AND table_name = 'student_guardians_versions'"
        ).fetchall()
        assert ("ended_at",) in stored
    # the other tables' versions are untouched by the links' new column
    others = {
        v: {t: rows for t, rows in s.items() if t != "student_guardians"} for v, s in seen.items()
    }
    assert_every_version_comes_back(store, others)
