"""Shared fixtures: small real files written to a temp dir, and the shared conformance sets."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from roster_pipeline.runner.sync_runner import run_sync
from roster_pipeline.settings.deployment import DeploymentSettings
from roster_pipeline.settings.load import load_district
from roster_pipeline.settings.model import DistrictSettings
from roster_pipeline.sync.outcome import SyncOutcome

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE = PROJECT / "data" / "sample_district"
CONFORMANCE = PROJECT.parent / "shared" / "conformance"


@pytest.fixture(autouse=True)
def _no_local_settings(monkeypatch, tmp_path):
    """Tests see the settings' defaults: no settings variable of the developer's shell, and no
    local data/district.toml (the settings file is a missing one in the test's own folder)."""
    for model in (DistrictSettings, DeploymentSettings):
        for field in model.model_fields.values():
            monkeypatch.delenv(field.json_schema_extra["env"], raising=False)
    monkeypatch.setenv("ROSTER_SETTINGS_FILE", str(tmp_path / "settings" / "district.toml"))


def evaluated(definition, context):
    """A sensor's or schedule's answer to ``context``, the context closed right after.

    A ``build_*_context`` left open enters an instance of its own and leaves it when garbage
    collected, which can put a closed instance back as Dagster's current one for later tests.
    """
    with context:
        return definition(context)


def load_batch(folder: Path, duckdb_path: Path, **settings: object) -> SyncOutcome:
    """Apply one batch (a folder or .zip) through the one sync runner, as every entry point does.

    ``settings``: district settings by name (``tenant_id``, ``sync_manages_guardians``, ...);
    contact details of active users are updated unless told otherwise.
    """
    district = load_district(
        overrides={"duckdb_path": str(duckdb_path), "update_active_contacts": True, **settings}
    )
    run = run_sync(folder, district)
    if run.refused is not None:
        raise run.refused
    return run.outcome


def truncated_copy(source: Path, target: Path, keep: float = 0.3) -> Path:
    """The export ``source`` copied to ``target`` with users.csv cut off mid-line after ``keep``
    of its bytes, the other files whole (a transfer that failed halfway)."""
    shutil.copytree(source, target)
    data = (source / "users.csv").read_bytes()
    (target / "users.csv").write_bytes(data[: int(len(data) * keep)])
    return target


def write_batch(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``name -> content`` into ``folder`` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        data = content.encode() if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


ORGS = "sourcedId,name,type\ndistrict,District,district\n00417,North High,school\n"
USERS = (
    "sourcedId,orgSourcedIds,role,givenName,familyName,email,sms,phone,agentSourcedIds,grades,language\n"
    "0001,00417,student,Ana,Null,ana@school.org,,,g1,09,\n"
    '0002,00417,student,Ben,NA,ben@school.org,,,"g1,g2",10,\n'
    "g1,00417,parent,Carla,Null,carla@Example.ORG,(415) 555-2671,,,,Spanish\n"
    "g2,00417,guardian,Dan,NA,,+1 212 555 0100,,,,\n"
    "t1,00417,teacher,Eve,Lee,eve@school.org,,,,,\n"
)
CLASSES = "sourcedId,title,grades,location,schoolSourcedId\nc1,Algebra,09,Room 1,00417\n"
ENROLLMENTS = (
    "classSourcedId,schoolSourcedId,userSourcedId,role\n"
    "c1,00417,0001,student\nc1,00417,0002,student\nc1,00417,t1,teacher\n"
)


@pytest.fixture
def simple_batch(tmp_path: Path) -> Path:
    """A tiny simplified-flavour district (users, classes, enrollments, orgs) with no mistakes."""
    return write_batch(
        tmp_path / "batch",
        {
            "orgs.csv": ORGS,
            "users.csv": USERS,
            "classes.csv": CLASSES,
            "enrollments.csv": ENROLLMENTS,
        },
    )


@pytest.fixture(scope="module")
def clean_load(tmp_path_factory) -> Path:
    """A warehouse with one clean load of a generated 60-student district (read-only use)."""
    from roster_pipeline.devtools.generate import generate, write
    from roster_pipeline.sync.run import sync_folder
    from roster_pipeline.sync.settings import SyncSettings
    from roster_pipeline.warehouse import Warehouse

    folder = tmp_path_factory.mktemp("clean_load")
    write(generate(60, seed=4), folder / "batch")
    outcome = sync_folder(folder / "batch", Warehouse(folder / "r.duckdb"), SyncSettings())
    assert outcome.status == "applied"
    return folder / "r.duckdb"
