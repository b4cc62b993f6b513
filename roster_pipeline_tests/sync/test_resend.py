"""A re-sent batch carried over records exactly what the full sync of it records, table by table."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import duckdb
import polars as pl
import pytest

from roster_pipeline.devtools.generate import write
from roster_pipeline.devtools.generate_agents import generate_agents
from roster_pipeline.sync.outcome import SyncOutcome
from roster_pipeline.sync.run import sync_folder
from roster_pipeline.sync.settings import SyncSettings
from roster_pipeline.warehouse import Warehouse
from roster_pipeline_tests.conftest import CONFORMANCE, SAMPLE, write_batch
from roster_pipeline_tests.sync.test_daily_sequence import days

VOLATILE = {"run_id", "_row_hash", "received_at"}
"""Columns that differ between any two runs: run ids, when a batch arrived, and hashes of rows
holding times (the times themselves are left out by type)."""


def _tables(db: Path) -> dict[str, pl.DataFrame]:
    """Every table of the file (live, history, records), sorted, without run ids or times."""
    out = {}
    with duckdb.connect(str(db), read_only=True) as con:
        names = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() ORDER BY ALL"
        ).fetchall()
        for schema, table in names:
            columns = con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
                "AND data_type NOT LIKE 'TIMESTAMP%' ORDER BY column_index",
                [schema, table],
            ).fetchall()
            kept = ", ".join(f'"{c}"' for (c,) in columns if c not in VOLATILE)
            frame = con.sql(f'SELECT {kept} FROM "{schema}"."{table}" ORDER BY ALL').pl()
            out[f"{schema}.{table}"] = frame
    return out


def _difference(expected: pl.DataFrame, actual: pl.DataFrame) -> dict[str, list]:
    """The rows on one side only (for the assertion message)."""
    if expected.columns != actual.columns:
        return {"columns": [expected.columns, actual.columns]}
    return {
        "full only": expected.join(
            actual, on=expected.columns, how="anti", nulls_equal=True
        ).rows(),
        "carried only": actual.join(
            expected, on=expected.columns, how="anti", nulls_equal=True
        ).rows(),
    }


def _apply(folder: Path, db: Path, settings: SyncSettings, carry: bool) -> SyncOutcome:
    return sync_folder(folder, Warehouse(db), settings, carry_over=carry)


def _resent(folder: Path, name: str) -> Path:
    """``folder``'s files, byte for byte, under another batch name (tomorrow's drop)."""
    target = folder.parent / name
    if folder.is_file():
        shutil.copyfile(folder, target.with_suffix(folder.suffix))
        return target.with_suffix(folder.suffix)
    shutil.copytree(folder, target)
    return target


def _both_ways(
    batches: list[Path], settings: SyncSettings, tmp: Path
) -> tuple[list[SyncOutcome], list[SyncOutcome]]:
    """Every batch applied in full into one file, and with re-sends carried into another; the
    two files must end up the same."""
    full_db, carried_db = tmp / "full.duckdb", tmp / "carried.duckdb"
    full = [_apply(b, full_db, settings, carry=False) for b in batches]
    carried = [_apply(b, carried_db, settings, carry=True) for b in batches]
    assert_same_syncs(full_db, full, carried_db, carried)
    return full, carried


def assert_same_syncs(
    expected_db: Path, expected: list[SyncOutcome], actual_db: Path, actual: list[SyncOutcome]
) -> None:
    """Two files that synced the same batches hold the same tables, and each run said the same
    (counts, file records, findings, status, reasons, table sizes)."""
    want, got = _tables(expected_db), _tables(actual_db)
    assert want.keys() == got.keys()
    for name, frame in want.items():
        assert got[name].equals(frame), (name, _difference(frame, got[name]))
    for one, other in zip(expected, actual, strict=True):
        assert one.counts.counts.equals(other.counts.counts)
        assert one.files.equals(other.files)
        assert one.findings.sort(pl.all()).equals(other.findings.sort(pl.all()))
        assert (one.status, one.reasons, one.table_rows) == (
            other.status,
            other.reasons,
            other.table_rows,
        )


def _three_days(tmp: Path) -> list[Path]:
    folders = []
    for n, files in enumerate(days(), start=1):
        folders.append(tmp / f"day{n}")
        write(files, folders[-1])
    return folders


CONFORMANCE_SETS = (
    "lepo-roster-hub/en",
    "moodle-enrol-oneroster/v1p1-mixed-full",
    "moodle-enrol-oneroster/v1p2-mixed-full",
    "moodle-enrol-oneroster/v1p2-delta-min",
    "msft-sds-v2p1",
)
"""Shared sets of other projects, each with a manifest, several versions and vendors' columns."""

SETTINGS = {
    "defaults": SyncSettings(tenant_id="t"),
    "contacts_updated": SyncSettings(tenant_id="t", update_active_contacts=True),
    "archived_kept": SyncSettings(tenant_id="t", unarchive_classes=False),
    "guardians_unmanaged": SyncSettings(tenant_id="t", manage_guardians=False),
}


@pytest.mark.parametrize("settings", SETTINGS.values(), ids=SETTINGS.keys())
def test_three_days_then_resends_match_the_full_sync(settings, tmp_path):
    folders = _three_days(tmp_path / "drop")
    resends = [_resent(folders[-1], "day4"), _resent(folders[-1], "day5")]
    full, carried = _both_ways([*folders, *resends], settings, tmp_path)
    assert all(o.carried_from is None for o in full)
    assert [o.carried_from for o in carried[:3]] == [None, None, None]
    # day 3 applied changes; if it also skipped some, day 4 is synced in full once
    day3_skipped = full[2].counts.totals().get("skipped", 0)
    assert carried[3].carried_from == (None if day3_skipped else carried[2].batch_id)
    assert carried[4].carried_from == carried[3].batch_id  # day 4 made the live tables
    assert full[3].counts.totals().get("created", 0) == 0
    assert full[4].counts.totals().keys() <= {"unchanged", "skipped"}


def test_settings_that_skip_changes_are_synced_in_full_once(tmp_path):
    """Day 2 updates some contacts of active users and refuses others: its re-send is synced
    in full (a rule could judge a record differently), the one after is carried."""
    folders = _three_days(tmp_path / "drop")[:2]
    settings = SETTINGS["defaults"]
    batches = [*folders, _resent(folders[1], "day2-again"), _resent(folders[1], "day2-more")]
    full, carried = _both_ways(batches, settings, tmp_path)
    assert full[1].counts.totals().get("skipped", 0) > 0
    assert [o.carried_from for o in carried] == [None, None, None, carried[2].batch_id]
    assert full[3].counts.totals().get("skipped") == full[1].counts.totals().get("skipped")


def test_resent_sample_zip_and_folder_are_carried(tmp_path):
    drop = tmp_path / "drop"
    shutil.copytree(SAMPLE, drop / "monday")
    archive = drop / "tuesday.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted((drop / "monday").iterdir()):
            out.write(path, path.name)
    # monday's folder itself comes again last: the same batch id as a batch already recorded
    batches = [drop / "monday", _resent(drop / "monday", "wednesday"), archive, drop / "monday"]
    settings = SETTINGS["contacts_updated"]
    full, carried = _both_ways(batches, settings, tmp_path)
    assert carried[1].carried_from == carried[0].batch_id
    assert carried[2].carried_from == carried[1].batch_id  # zipped, its members are the bytes
    assert carried[3].batch_id == carried[0].batch_id
    assert carried[3].carried_from == carried[2].batch_id
    assert full[1].findings.height == full[0].findings.height > 0


def test_findings_carry_over_to_the_resend_with_their_lines(tmp_path):
    users = (
        "sourcedId,orgSourcedIds,role,givenName,familyName,email,sms\n"
        "s1,sch,student,Ana,Lee,ana@school.org,\n"
        "s2,sch,student,Ben,Lee,not-an-email,\n"
        "s3,missing-school,student,Cy,Lee,cy@school.org,\n"
    )
    files = {"orgs.csv": "sourcedId,name,type\nsch,School,school\n", "users.csv": users}
    first = write_batch(tmp_path / "drop" / "mon", files)
    batches = [first, _resent(first, "tue")]
    _, carried = _both_ways(batches, SETTINGS["contacts_updated"], tmp_path)
    assert carried[1].carried_from == carried[0].batch_id
    lines = carried[1].findings.filter(pl.col("file") == "users.csv")["line"].to_list()
    assert lines and sorted(lines) == sorted(
        carried[0].findings.filter(pl.col("file") == "users.csv")["line"].to_list()
    )
    with duckdb.connect(str(tmp_path / "carried.duckdb"), read_only=True) as con:
        per_batch = con.execute(
            "SELECT count(DISTINCT batch_id), count(*) FROM findings WHERE file = 'users.csv'"
        ).fetchall()
    assert per_batch == [(2, 2 * len(lines))]


def test_a_changed_file_settings_or_apply_in_between_is_synced_in_full(tmp_path):
    drop = tmp_path / "drop"
    write(generate_agents(60, seed=3), drop / "mon")
    db = tmp_path / "roster.duckdb"
    settings = SETTINGS["contacts_updated"]
    assert _apply(drop / "mon", db, settings, carry=True).carried_from is None
    changed = _resent(drop / "mon", "tue")
    with (changed / "users.csv").open("a") as out:
        out.write("")  # same bytes so far: carried
    assert _apply(changed, db, settings, carry=True).carried_from is not None
    edited = _resent(drop / "mon", "wed")
    text = (edited / "users.csv").read_text()
    (edited / "users.csv").write_text(text.replace("@", "@x", 1))  # one byte more
    assert _apply(edited, db, settings, carry=True).carried_from is None
    back = _resent(drop / "mon", "thu")  # monday's bytes, but wednesday made the live tables
    assert _apply(back, db, settings, carry=True).carried_from is None
    again = _resent(drop / "mon", "fri")
    other = SyncSettings(tenant_id="t", update_active_contacts=True, region="GB")
    assert _apply(again, db, other, carry=True).carried_from is None
    preview = sync_folder(_resent(drop / "mon", "sat"), Warehouse(db), other, mode="preview")
    assert preview.carried_from is None and preview.status == "previewed"


@pytest.mark.skipif(not CONFORMANCE.is_dir(), reason=f"conformance sets not at {CONFORMANCE}")
@pytest.mark.parametrize("name", CONFORMANCE_SETS)
def test_conformance_sets_resent_match_the_full_sync(name, tmp_path):
    first = tmp_path / "drop" / "first"
    shutil.copytree(CONFORMANCE / name, first, ignore=shutil.ignore_patterns("*.md"))
    batches = [first, _resent(first, "second"), _resent(first, "third")]
    full, carried = _both_ways(batches, SETTINGS["defaults"], tmp_path)
    skipped = full[0].counts.totals().get("skipped", 0)
    assert carried[2].carried_from is not None
    assert carried[1].carried_from == (None if skipped else carried[0].batch_id)


def test_why_a_day_that_applied_and_refused_changes_is_synced_in_full_once(tmp_path):
    """A user deactivated on the day their new address arrives keeps the old one ('update
    contact details of active users' is off: they were active). Sent again, they are no longer
    active, so the full sync applies the address: the re-send is not a no-op, and is not
    carried over."""
    header = "sourcedId,orgSourcedIds,role,givenName,familyName,email,status\n"
    org = {"orgs.csv": "sourcedId,name,type\nsch,School,school\n"}
    mon = write_batch(
        tmp_path / "drop" / "mon",
        {**org, "users.csv": header + "u1,sch,student,Ana,Lee,old@school.org,active\n"},
    )
    tue = write_batch(
        tmp_path / "drop" / "tue",
        {**org, "users.csv": header + "u1,sch,student,Ana,Lee,new@school.org,tobedeleted\n"},
    )
    batches = [mon, tue, _resent(tue, "wed"), _resent(tue, "thu")]
    full, carried = _both_ways(batches, SETTINGS["defaults"], tmp_path)
    assert full[1].counts.totals().get("deactivated") == 1
    assert full[1].counts.totals().get("skipped") == 1
    assert full[2].counts.totals().get("updated") == 1  # the address, now the user is inactive
    assert [o.carried_from for o in carried] == [None, None, None, carried[2].batch_id]


def test_a_day_of_field_updates_and_refused_contacts_is_carried_at_once(tmp_path):
    """Nobody arrived, left or changed status: one name updated, two guardians' mobiles refused
    (their contacts are kept). Every rule sees the statuses it saw, so the first re-send is
    carried, with the same refused changes."""
    day1 = days()[0]
    users = day1["users"]
    guardians = users.filter(pl.col("role") == "parent")["sourcedId"].head(2).to_list()
    day2 = {
        **day1,
        "users": users.with_columns(
            sms=pl.when(pl.col("sourcedId").is_in(guardians))
            .then(pl.lit("(617) 555-0199"))
            .otherwise(pl.col("sms")),
            givenName=pl.when(pl.col("sourcedId") == "0000001")
            .then(pl.lit("Renamed"))
            .otherwise(pl.col("givenName")),
        ),
    }
    drop = tmp_path / "drop"
    write(day1, drop / "mon")
    write(day2, drop / "tue")
    batches = [drop / "mon", drop / "tue", _resent(drop / "tue", "wed")]
    full, carried = _both_ways(batches, SETTINGS["defaults"], tmp_path)
    assert full[1].counts.totals().keys() == {"updated", "skipped", "unchanged"}
    assert full[1].counts.totals()["skipped"] == 2
    assert full[2].counts.totals()["skipped"] == 2 and "updated" not in full[2].counts.totals()
    assert carried[2].carried_from == carried[1].batch_id
