"""The benchmark at a tiny size, so it keeps working: both profiles, a churned day 2, a re-send.

No time is asserted (speed lives in the benchmark's own runs); what is asserted is that every
timed run synced what it was meant to.
"""

from __future__ import annotations

import json

import duckdb
import polars as pl

from roster_pipeline.devtools.benchmark import main
from roster_pipeline.devtools.churn import LEVELS, churn
from roster_pipeline.devtools.generate import generate
from roster_pipeline.devtools.generate_agents import generate_agents


def test_the_benchmark_times_both_profiles_a_churned_day_and_a_resend(tmp_path):
    out = tmp_path / "bench.json"
    report = main(
        [
            *("--students", "60", "--churn", "typical", "--repeat", "2"),
            *("--guardians-rows", "150", "--workdir", str(tmp_path), "--out", str(out)),
        ]
    )
    assert json.loads(out.read_text()) == report
    assert set(report["profiles"]) == {"households", "agents"}
    for profile, measured in report["profiles"].items():
        assert measured["success"], profile
        assert measured["resend_carried_over"], profile
        assert measured["rounds"] == 2 and len(measured["runs_s"]) == 2
        assert set(measured["runs_s"][0]) == {"baseline", "first_load", "day2_typical", "resend"}
        for run in ("first_load", "day2_typical", "resend"):
            assert measured[f"{run}_s"] > 0 and measured[f"ratio_{run}"] > 0
            assert measured[f"{run}_peak_rss_mib"] > 0
        # a first load starts without a memo; a day 2 recognises most of the first load's rows
        recognised = measured["rows_recognised"]
        assert recognised["first_load"] == 0 and recognised["resend"] == 0  # carried whole
        assert 0.5 * measured["input_rows"] < recognised["day2_typical"] < measured["input_rows"]
        # most of them the memo knows to be their live records: not compared for the changes
        not_compared = measured["records_not_compared"]
        assert 0.5 * recognised["day2_typical"] < not_compared["day2_typical"]
        assert not_compared["day2_typical"] <= recognised["day2_typical"]
    assert report["guardians_rows"] == 150 and report["guardians_preview_s"] > 0
    # the last timed run was the re-send, on top of the first load: nothing changed
    with duckdb.connect(str(tmp_path / "agents-60-7-day1.duckdb"), read_only=True) as con:
        runs = con.execute(
            "SELECT status, created, updated, deactivated FROM sync_runs ORDER BY started_at"
        ).fetchall()
    assert runs[0][0] == "applied" and runs[-1] == ("applied", 0, 0, 0)


def test_each_churn_level_changes_its_share_of_the_district():
    for make in (generate, generate_agents):
        files = make(4000, 3)
        students = files["users"].filter(pl.col("role") == "student")["sourcedId"]
        for name, level in LEVELS.items():
            day2 = churn(files, level)
            after = day2["users"].filter(pl.col("role") == "student")["sourcedId"]
            left = students.len() - students.is_in(after.implode()).sum()
            assert abs(left / students.len() - level.students) < level.students / 2 + 0.002, name
            assert after.len() == students.len()  # as many arrive as leave
            closed = files["classes"].height - day2["classes"].height
            assert abs(closed / files["classes"].height - level.classes) < level.classes / 2 + 0.003
            kept_guardians = day2["users"].filter(pl.col("role").is_in(["parent", "guardian"]))
            assert kept_guardians.height > 0
            if make is generate_agents:  # a leaver is in no guardian's list any more
                listed = kept_guardians["agentSourcedIds"].str.split(",").explode()
                gone = students.filter(~students.is_in(after.implode()))
                assert not listed.is_in(gone.implode()).any()
