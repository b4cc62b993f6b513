"""The notification sensors on real runs of the code location's own district: a held apply and
an apply with rows rejected each tell its contacts once; a clean apply and a preview tell nobody."""

from __future__ import annotations

import dagster as dg

from roster_pipeline.defs.districts.resources import DistrictsFolder
from roster_pipeline.defs.notify.sensors import notification_sensors
from roster_pipeline.defs.resources import district_resource
from roster_pipeline.defs.sync.materialize import materialize_batch
from roster_pipeline.devtools.generate import add_mistakes, generate, write
from roster_pipeline.settings.load import load_deployment
from roster_pipeline_tests.conftest import evaluated, truncated_copy
from roster_pipeline_tests.notify.privacy_check import leaked, personal_values
from roster_pipeline_tests.notify.smtp_server import smtp_server

CONTACTS = ["registrar@sample.example.org", "it@sample.example.org"]


def _event(instance, run, kind):
    (record,) = instance.get_records_for_run(run.run_id, of_type=kind).records
    return record.event_log_entry.dagster_event


def _evaluate(sensor, instance, result, kind, resources):
    run = instance.get_run_by_id(result.run_id)
    context = dg.build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_event=_event(instance, run, kind),
        dagster_instance=instance,
        dagster_run=run,
        resources=resources,
    )
    if kind == dg.DagsterEventType.RUN_FAILURE:
        context = context.for_run_failure()
    return evaluated(sensor, context)


def test_held_and_rejected_rows_are_told_once_each_and_clean_runs_never(tmp_path):
    drop = tmp_path / "drop"
    day1 = drop / "2026-11-23"
    write(add_mistakes(generate(300, seed=9)), day1)  # rows rejected: applied with errors
    day2 = truncated_copy(day1, drop / "2026-11-24", keep=1 / 3)  # cut off mid-line
    settings = {
        "duckdb_path": str(tmp_path / "roster.duckdb"),
        "tenant_id": "sample-usd",
        "notify_emails": CONTACTS,
        "results_url": "http://127.0.0.1:9/results",
    }
    with smtp_server() as (inbox, port), dg.instance_for_test() as instance:
        deployment = load_deployment(
            {
                "ROSTER_SMTP_HOST": "127.0.0.1",
                "ROSTER_SMTP_PORT": str(port),
                "ROSTER_SMTP_TLS": "none",
                "ROSTER_UI_URL": "http://127.0.0.1:3000",
            }
        )
        failed_sensor, errors_sensor = notification_sensors(deployment)
        resources = {
            "district": district_resource(drop_dir=str(drop), **settings),
            "districts_folder": DistrictsFolder(districts_dir=str(tmp_path / "none")),
        }

        preview = materialize_batch(day1, mode="preview", instance=instance, **settings)
        assert preview.success
        told = _evaluate(
            errors_sensor, instance, preview, dg.DagsterEventType.RUN_SUCCESS, resources
        )
        assert "nobody needs to look" in told.skip_message and inbox.received == []

        applied = materialize_batch(day1, instance=instance, **settings)
        assert applied.success
        told = _evaluate(
            errors_sensor, instance, applied, dg.DagsterEventType.RUN_SUCCESS, resources
        )
        assert (
            told.skip_message == "sample-usd: applied with errors, told by e-mail to 2 contact(s)"
        )

        held = materialize_batch(day2, instance=instance, **settings)
        assert not held.success
        told = _evaluate(failed_sensor, instance, held, dg.DagsterEventType.RUN_FAILURE, resources)
        assert told.skip_message == "sample-usd: held, told by e-mail to 2 contact(s)"

    first, second = (message for _, message in inbox.received)
    assert len(inbox.received) == 2
    assert all(sorted(r) == sorted(CONTACTS) for r, _ in inbox.received)
    assert first["Subject"].startswith("sample-usd: applied, rows rejected, batch 2026-11-23-")
    assert second["Subject"].startswith("sample-usd: sync held, batch 2026-11-24-")
    text = second.get_content()
    assert f"Run in Dagster: http://127.0.0.1:3000/runs/{held.run_id}" in text
    assert "Results workbook: http://127.0.0.1:9/results/sync-" in text
    personal = personal_values(day1)
    for _, message in inbox.received:
        assert leaked(message["Subject"] + message.get_content(), personal) == []
