import json

import polars as pl

from roster_pipeline.devtools import benchmark, generate
from roster_pipeline.devtools.next_day import next_day


def test_generation_is_deterministic_by_seed():
    a = generate.generate(300, seed=3)
    b = generate.generate(300, seed=3)
    c = generate.generate(300, seed=4)
    assert all(a[k].equals(b[k]) for k in a)
    assert not a["users"].equals(c["users"])


def test_generated_shape_is_like_a_large_district():
    files = generate.generate(7000)
    users = files["users"]
    students = users.filter(users["role"] == "student").height
    assert students == 7000
    assert users["sourcedId"][0] == "0000001"  # zero-padded ids exercise leading zeros
    links = users["agentSourcedIds"].drop_nulls().str.split(",").list.len().sum()
    assert 1.6 < links / students < 2.0
    assert files["enrollments"].height > 8 * students


def test_benchmark_command_runs_at_a_tiny_size(tmp_path):
    out = tmp_path / "bench.json"
    report = benchmark.main(
        [
            "--students",
            "60",
            "--guardians-rows",
            "150",
            "--repeat",
            "2",
            "--workdir",
            str(tmp_path),
            "--out",
            str(out),
        ]
    )
    assert report["success"] and report["first_load_s"] > 0
    saved = json.loads(out.read_text())
    keys = {"students", "baseline_s", "first_load_s", "day2_s", "ratio_first", "ratio_day2"}
    assert keys | {"peak_rss_mib"} <= set(saved)
    assert saved["day2_s"] > 0
    assert saved["rounds"] == 2 and len(saved["runs_s"]) == 2  # baseline, first load, day 2 each


def test_next_day_has_arrivals_departures_contact_changes_and_closed_classes():
    files = generate.generate(2000)
    after = next_day(files)
    before_ids, after_ids = set(files["users"]["sourcedId"]), set(after["users"]["sourcedId"])
    assert len(before_ids - after_ids) == len(after_ids - before_ids) > 0
    assert after["classes"].height < files["classes"].height
    moved = after["users"].join(files["users"], on="sourcedId", suffix="_1")
    assert moved.filter(pl.col("sms") != pl.col("sms_1")).height > 0
