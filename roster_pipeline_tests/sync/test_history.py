"""History: the state after every applied version is exactly what ``history.as_of`` gives back."""

from __future__ import annotations

import duckdb

from roster_pipeline.generate import generate, write
from roster_pipeline.next_day import next_day
from roster_pipeline.sync import history
from roster_pipeline.sync.run import sync_folder
from roster_pipeline.sync.settings import SyncSettings, Thresholds
from roster_pipeline.warehouse import Warehouse


def snapshot(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple]:
    return con.execute(f"SELECT * FROM {relation} ORDER BY ALL").fetchall()


def test_every_version_of_a_daily_sequence_comes_back_exactly(tmp_path):
    store = Warehouse(tmp_path / "r.duckdb")
    settings = SyncSettings(
        update_active_contacts=True,
        thresholds=Thresholds(deactivate_pct=100, update_pct=100, truncated_ratio=0),
    )
    files = generate(300, seed=11)
    seen: dict[int, dict[str, list[tuple]]] = {}
    for day in range(4):  # a first load, then three days of leavers, arrivals and new mobiles
        write(files, tmp_path / f"day{day}")
        outcome = sync_folder(tmp_path / f"day{day}", store, settings)
        assert outcome.status == "applied"
        with store.reader() as con:
            tables = [t for t in history.HISTORY_TABLES if history.table_exists(con, t)]
            seen[outcome.version] = {t: snapshot(con, t) for t in tables}
        files = next_day(files, every=20)
    assert len(seen) == 4
    with store.reader() as con:
        for version, tables in seen.items():
            for table, rows in tables.items():
                relation = history.as_of(con, version)[table]
                assert snapshot(con, relation) == rows, (version, table)
        changed = con.execute(
            "SELECT count(*) FROM history.users WHERE valid_to IS NOT NULL"
        ).fetchall()[0][0]
    assert changed > 0  # the days did change users, so closed versions were checked too
