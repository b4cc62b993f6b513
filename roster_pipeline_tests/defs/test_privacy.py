"""Run metadata and logs of a full load carry counts and masked samples, never personal data."""

import logging

import dagster as dg
import duckdb

from roster_pipeline.defs.resources import roster_resources
from roster_pipeline.defs.sync.materialize import materialize_batch
from roster_pipeline_tests.conftest import SAMPLE


def test_metadata_and_logs_hold_no_email_phone_or_full_name(tmp_path, caplog):
    db = tmp_path / "roster.duckdb"
    with caplog.at_level(logging.DEBUG):
        result = materialize_batch(SAMPLE, duckdb_path=str(db))
    shown = [str(e.event_specific_data) for e in result.all_events] + [
        r.getMessage() for r in caplog.records
    ]
    text = "\n".join(shown)
    with duckdb.connect(str(db), read_only=True) as con:
        people = con.execute(
            "SELECT email, sms, phone, given_name || ' ' || family_name FROM users"
        ).fetchall()
    secrets = {v for row in people for v in row if v}
    assert secrets, "the sample should have contact data"
    leaked = sorted(s for s in secrets if s in text)
    assert leaked == []
    assert "***" in text  # the masked previews are there


def test_sync_runs_show_counts_never_contacts(tmp_path, caplog):
    import shutil

    from roster_pipeline.defs.resources import district_resource
    from roster_pipeline.defs.sync.assets import roster_sync
    from roster_pipeline.defs.sync.partitions import roster_batches, sync_key

    drop = tmp_path / "drop"
    shutil.copytree(SAMPLE, drop / "sample")
    db = tmp_path / "roster.duckdb"
    resources = roster_resources(
        duckdb_path=str(db),
        district=district_resource(drop_dir=str(drop), update_active_contacts=True),
    )
    shown = []
    with dg.instance_for_test() as instance, caplog.at_level(logging.DEBUG):
        instance.add_dynamic_partitions(roster_batches.name, ["sample"])
        for mode in ("preview", "apply"):
            result = dg.materialize(
                [roster_sync],
                instance=instance,
                resources=resources,
                partition_key=sync_key("sample", mode),
            )
            shown += [str(e.event_specific_data) for e in result.all_events]
    text = "\n".join(shown + [r.getMessage() for r in caplog.records])
    with duckdb.connect(str(db), read_only=True) as con:
        people = con.execute(
            "SELECT email, sms, phone, given_name, family_name FROM users"
        ).fetchall()
    secrets = {v for row in people for v in row if v and len(v) > 3}
    assert secrets
    assert sorted(s for s in secrets if s in text) == []
    assert "changes_created" in text


def test_an_email_inside_a_message_is_masked_for_metadata():
    import polars as pl

    from roster_pipeline.privacy import mask_text_expr

    text = pl.Series(["Guardian 'g1' (ana.reyes@mail.example.org) has two emails.", None, "ok"])
    masked = pl.select(mask_text_expr(pl.lit(text))).to_series().to_list()
    assert masked == ["Guardian 'g1' (***@mail.example.org) has two emails.", None, "ok"]
