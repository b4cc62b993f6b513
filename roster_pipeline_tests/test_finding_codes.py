"""Every finding code is a named constant, and nothing reports a code that is not one."""

import duckdb

from roster_pipeline import finding_codes
from roster_pipeline.devtools import codes_module
from roster_pipeline.sync.run import sync_folder
from roster_pipeline.sync.settings import SyncSettings
from roster_pipeline.warehouse import Warehouse
from roster_pipeline_tests.conftest import CONFORMANCE, PROJECT, SAMPLE, write_batch
from roster_pipeline_tests.defs.exports import V1_0, district_1_1


def test_the_codes_module_is_generated_from_the_registries():
    assert codes_module.MODULE.read_text() == codes_module.render(), (
        "run: python -m roster_pipeline.devtools.codes_module"
    )
    assert finding_codes.USR_EMAIL_INVALID == "USR_EMAIL_INVALID"
    assert "ENR_CLASS_UNKNOWN" in finding_codes.ALL_CODES
    assert "ORG_SMS_INVALID" not in finding_codes.ALL_CODES  # orgs have no sms column


def test_every_code_of_the_sql_rules_is_written_by_a_sql_file():
    sql = "".join(p.read_text() for p in (PROJECT / "roster_pipeline").rglob("*.sql"))
    assert [c for c in codes_module.SQL_RULES if f"'{c}'" not in sql] == []


def _batches(tmp_path):
    yield SAMPLE
    yield district_1_1(tmp_path / "sis-1.1")  # written as an SIS writes them
    yield write_batch(tmp_path / "sis-1.0", V1_0)
    if CONFORMANCE.is_dir():
        yield from sorted({p.parent for p in CONFORMANCE.rglob("*.csv")})


def test_every_code_reported_on_the_sample_and_the_conformance_sets_is_named(tmp_path):
    reported = set()
    for i, folder in enumerate(_batches(tmp_path)):
        db = tmp_path / f"{i}.duckdb"
        sync_folder(folder, Warehouse(db), SyncSettings())
        with duckdb.connect(str(db), read_only=True) as con:
            reported |= {c for (c,) in con.execute("SELECT DISTINCT code FROM findings").fetchall()}
    assert len(reported) >= 15
    assert sorted(reported - finding_codes.ALL_CODES) == []
