import polars as pl

from roster_pipeline.devtools import generate
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


def test_next_day_has_arrivals_departures_contact_changes_and_closed_classes():
    files = generate.generate(2000)
    after = next_day(files)
    before_ids, after_ids = set(files["users"]["sourcedId"]), set(after["users"]["sourcedId"])
    assert len(before_ids - after_ids) == len(after_ids - before_ids) > 0
    assert after["classes"].height < files["classes"].height
    moved = after["users"].join(files["users"], on="sourcedId", suffix="_1")
    assert moved.filter(pl.col("sms") != pl.col("sms_1")).height > 0
