"""What a planned run becomes: previewed, held or applied; an approve of a stale plan refused."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl
import pytest

from roster_pipeline.resolve import sql_files
from roster_pipeline.sync import change_log
from roster_pipeline.sync.change_counts import ChangeCounts
from roster_pipeline.sync.run_status import SyncRefusedError, decide, discard
from roster_pipeline.sync.settings import SyncSettings

FILES = pl.DataFrame(
    {"kind": ["users"], "mode": ["bulk"], "rows_read": [100]},
    schema={"kind": pl.String, "mode": pl.String, "rows_read": pl.Int64},
)


def _counts(deactivated: int) -> ChangeCounts:
    return ChangeCounts(
        pl.DataFrame(
            {"entity": ["users"], "change": ["deactivated"], "n": [deactivated]},
            schema={"entity": pl.String, "change": pl.String, "n": pl.Int64},
        ),
        pl.DataFrame(
            {"entity": ["users"], "live_active": [100], "n_next": [100]},
            schema={"entity": pl.String, "live_active": pl.Int64, "n_next": pl.Int64},
        ),
    )


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    sql_files.run(con, "write_tables")
    change_log.ensure_tables(con)
    return con


def _decide(con, deactivated: int, mode: str = "apply", action: str = "run"):
    return decide(
        con,
        files=FILES,
        counts=_counts(deactivated),
        settings=SyncSettings(),
        today=date(2026, 3, 2),
        mode=mode,
        action=action,
        batch_id="b1",
        plan=(3, "digest"),
    )


def test_a_run_within_the_safeguards_is_applied_and_says_nothing(con):
    assert _decide(con, deactivated=2) == ("applied", [])


def test_too_many_deactivations_hold_an_apply_and_a_preview_says_why(con):
    status, said = _decide(con, deactivated=40)
    assert status == "held"
    assert said == ["users: 40 of 100 active records would be deactivated (40.0% > 10%)."]
    assert _decide(con, deactivated=40, mode="preview") == ("previewed", said)


def test_an_approve_needs_a_held_run_with_the_same_plan(con):
    with pytest.raises(SyncRefusedError, match="not held"):
        _decide(con, deactivated=40, action="approve")
    fingerprint = SyncSettings().fingerprint()
    con.execute(
        "INSERT INTO sync_runs BY NAME SELECT 'r1' AS run_id, 'b1' AS batch_id, 'apply' AS mode, "
        "'held' AS status, 3 AS live_version, 'digest' AS plan_digest, ? AS settings, "
        "now() AS started_at",
        [fingerprint],
    ).fetchall()
    status, said = _decide(con, deactivated=40, action="approve")
    assert status == "applied" and said[0].startswith("users: 40 of 100")  # applied as asked
    con.execute("UPDATE sync_runs SET live_version = 4").fetchall()  # the live tables moved on
    with pytest.raises(SyncRefusedError, match="stale"):
        _decide(con, deactivated=40, action="approve")
    outcome = discard(con, "b1", "r2")
    assert (outcome.status, outcome.action) == ("discarded", "discard")
