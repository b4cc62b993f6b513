"""Restore: bring the live tables back to the state right after an applied batch.

The restore is itself an apply: a new live version, its changes in ``change_log``, a row of
``sync_runs`` (action ``restore``).
"""

from __future__ import annotations

import uuid

from roster_pipeline.resolve import sql_files
from roster_pipeline.sync import (
    change_counts,
    change_log,
    changes,
    history,
    integrity,
    link_changes,
)
from roster_pipeline.sync.outcome import SyncOutcome, utc_now
from roster_pipeline.sync.run import SyncRefusedError
from roster_pipeline.sync.run_record import record_run
from roster_pipeline.sync.settings import SyncSettings
from roster_pipeline.tables import ROSTER_TABLES
from roster_pipeline.warehouse import Warehouse


def restore(store: Warehouse, batch_id: str, settings: SyncSettings) -> SyncOutcome:
    """Bring the live tables back to their state right after ``batch_id`` was applied.

    The restore is itself an apply: a new live version, its changes in ``change_log``.
    """
    run_id = uuid.uuid4().hex
    started = utc_now()
    with store.writer() as con:
        try:
            target = history.version_after(con, batch_id)
        except history.UnknownVersionError as err:
            raise SyncRefusedError(str(err)) from None
        change_log.ensure_tables(con)
        live_version = history.current_version(con)
        tables = history.as_of(con, target)
        changes.start(con)
        links = tables.get("student_guardians")
        changes.compute(
            con,
            {t: sql for t, sql in tables.items() if t in ROSTER_TABLES},
            next_links=RESTORE_LINKS.format(links=links) if links else link_changes.EMPTY_LINKS,
            old_links=RESTORE_LINKS.format(links="main.student_guardians"),
        )
        counts = change_counts.count(con)
        for table, sql in tables.items():
            sql_files.execute(con, f"CREATE OR REPLACE TEMP TABLE restored AS SELECT * FROM {sql}")
            sql_files.execute(con, f"CREATE OR REPLACE TABLE main.{table} AS FROM restored")
        restore_id = f"restore-{batch_id}"
        version = history.commit_version(con, restore_id, "restore")
        integrity.record(con, version, ())
        change_log.record(con, restore_id, run_id, settings, version)
        outcome = SyncOutcome(
            run_id, restore_id, "apply", "restore", "applied", [], counts, version
        )
        record_run(con, outcome, settings, live_version, change_counts.digest(con), started)
    return outcome


RESTORE_LINKS = f"(SELECT {link_changes.LINK_COLUMNS} FROM {{links}})"
