"""One model, one loader: defaults, district.toml, ROSTER_* overrides, one way to read each type."""

import re
import subprocess

import pytest

from roster_pipeline.devtools import settings_doc
from roster_pipeline.settings.load import load_deployment, load_district
from roster_pipeline.settings.model import DistrictSettings
from roster_pipeline.settings.values import SettingsError
from roster_pipeline_tests.conftest import PROJECT

BOOLEANS = [n for n, f in DistrictSettings.model_fields.items() if f.annotation is bool]


def env(name: str) -> str:
    return DistrictSettings.model_fields[name].json_schema_extra["env"]


def test_there_are_boolean_settings_to_test():
    assert set(BOOLEANS) >= {"enable_daily_sync", "sync_manages_guardians", "unarchive_classes"}


@pytest.mark.parametrize("name", BOOLEANS)
@pytest.mark.parametrize("text", ["false", "0", "no", "off", "OFF", " False "])
def test_every_boolean_variable_set_to_a_no_word_is_off(name, text):
    assert getattr(load_district(environ={env(name): text}), name) is False


@pytest.mark.parametrize("name", BOOLEANS)
@pytest.mark.parametrize("text", ["true", "1", "yes", "on", "Yes"])
def test_every_boolean_variable_set_to_a_yes_word_is_on(name, text):
    assert getattr(load_district(environ={env(name): text}), name) is True


@pytest.mark.parametrize("name", BOOLEANS)
def test_an_unknown_boolean_value_fails_naming_the_variable(name):
    with pytest.raises(SettingsError, match=f"^{env(name)}: 'maybe' is not a yes/no value"):
        load_district(environ={env(name): "maybe"})


@pytest.mark.parametrize(
    ("variable", "text", "message"),
    [
        ("ROSTER_HOLD_MIN_RECORDS", "twenty", "is not a whole number"),
        ("ROSTER_HOLD_DEACTIVATE_PCT", "10%", "is not a number"),
        ("ROSTER_TEACHER_PERMISSIONS", "Family Access,Root", "unknown permissions \\['Root'\\]"),
        ("ROSTER_ROLE_PERMISSIONS", "student=Family Access", "cannot be granted to"),
        ("ROSTER_ROLE_PERMISSIONS", "counselor", "is not role=permission"),
        ("ROSTER_BLACKOUT_DATES", "summer", "is not a period"),
        ("ROSTER_ROLLOVER_WINDOW", "07-20", "is not a period"),
    ],
)
def test_an_unusable_value_fails_naming_its_variable(variable, text, message):
    with pytest.raises(SettingsError, match=f"^{variable}: .*{message}"):
        load_district(environ={variable: text})


def test_each_setting_has_one_default_and_the_defaults_hold_without_file_or_variable(tmp_path):
    settings = load_district(environ={"ROSTER_SETTINGS_FILE": str(tmp_path / "district.toml")})
    assert settings.tenant_id == "sample-district"
    assert settings.sync_manages_guardians is True and settings.enable_daily_sync is False
    assert settings.update_active_contacts is False and settings.settle_seconds == 60
    assert settings.drop_dir == str(tmp_path / "drop")
    assert settings.duckdb_path == str(tmp_path / "roster.duckdb")
    assert settings.results_folder() == tmp_path / "results"  # beside the DuckDB file
    assert settings.sync_settings().thresholds.deactivate_pct == 10.0
    assert settings.warehouse().memory_limit == "2GB"
    for name, field in DistrictSettings.model_fields.items():
        assert field.description, name
        assert field.json_schema_extra["env"] == "ROSTER_" + name.upper() or name in (
            "duckdb_memory_limit",
        ), name


def test_the_file_sets_values_the_variables_override_and_paths_resolve_beside_it(
    tmp_path, monkeypatch
):
    home = tmp_path / "lincoln"
    home.mkdir()
    (home / "district.toml").write_text(
        'tenant_id = "lincoln-usd"\n'
        "enable_daily_sync = true\n"
        'duckdb_path = "warehouse/lincoln.duckdb"\n'
        "hold_min_records = 5\n"
        'teacher_permissions = ["Family Access"]\n'
        "[role_permissions]\n"
        'counselor = ["Family Access", "Engagement Visibility"]\n'
    )
    file = {"ROSTER_SETTINGS_FILE": str(home / "district.toml")}
    settings = load_district(environ=file)
    assert settings.tenant_id == "lincoln-usd" and settings.enable_daily_sync is True
    assert settings.duckdb_path == str(home / "warehouse" / "lincoln.duckdb")
    assert settings.hold_min_records == 5 and settings.teacher_permissions == ["Family Access"]
    assert settings.role_permissions == {"counselor": ["Family Access", "Engagement Visibility"]}
    monkeypatch.chdir(tmp_path)
    over = load_district(
        environ={**file, "ROSTER_ENABLE_DAILY_SYNC": "off", "ROSTER_DUCKDB_PATH": "elsewhere.db"}
    )
    assert over.enable_daily_sync is False
    assert over.duckdb_path == str(tmp_path / "elsewhere.db")  # a variable's: the working dir


def test_a_bad_settings_file_fails_naming_the_file_and_key(tmp_path):
    (tmp_path / "district.toml").write_text("enable_dayly_sync = true\n")
    file = {"ROSTER_SETTINGS_FILE": str(tmp_path / "district.toml")}
    with pytest.raises(
        SettingsError, match=r"district\.toml: unknown setting\(s\) \['enable_dayly"
    ):
        load_district(environ=file)
    (tmp_path / "district.toml").write_text('hold_min_records = "many"\n')
    with pytest.raises(SettingsError, match=r"district\.toml: hold_min_records: 'many' is not"):
        load_district(environ=file)
    (tmp_path / "district.toml").write_text("enable_daily_sync = maybe\n")
    with pytest.raises(SettingsError, match="not a readable TOML file"):
        load_district(environ=file)


def test_a_district_folder_keeps_its_locations_and_tenant_whatever_the_variables(tmp_path):
    home = tmp_path / "districts" / "north-usd"
    (home / "drop").mkdir(parents=True)
    (home / "district.toml").write_text("settle_seconds = 0\n")
    shared = {
        "ROSTER_DUCKDB_PATH": str(tmp_path / "one-for-all.duckdb"),
        "ROSTER_TENANT_ID": "someone-else",
        "ROSTER_HOLD_UPDATE_PCT": "50",
    }
    settings = load_district(home, environ=shared)
    assert settings.tenant_id == "north-usd"
    assert settings.duckdb_path == str(home / "roster.duckdb")
    assert settings.drop_dir == str(home / "drop")
    assert settings.hold_update_pct == 50.0 and settings.settle_seconds == 0
    (home / "district.toml").write_text('tenant_id = "south-usd"\n')
    with pytest.raises(SettingsError, match="tenant_id must be the district's folder name"):
        load_district(home, environ={})


def test_the_deployment_settings_come_from_variables_with_one_default_each(tmp_path):
    default = load_deployment(environ={})
    assert default.districts_dir == str(PROJECT / "data" / "districts")
    assert default.sync_cron == "0 6 * * *" and default.sync_timezone == "America/New_York"
    given = load_deployment(
        environ={"ROSTER_DISTRICTS_DIR": str(tmp_path), "ROSTER_SYNC_CRON": "5 4 * * *"}
    )
    assert given.districts_dir == str(tmp_path) and given.sync_cron == "5 4 * * *"


def test_the_settings_guide_is_generated_from_the_model():
    assert (PROJECT / "docs" / "settings.md").read_text() == settings_doc.render(), (
        "run: python -m roster_pipeline.devtools.settings_doc"
    )
    text = settings_doc.render()
    for name, field in DistrictSettings.model_fields.items():
        assert f"| `{name}` | `{field.json_schema_extra['env']}` |" in text


def test_only_the_loader_reads_the_environment():
    found = subprocess.run(
        ["grep", "-rn", "os.environ", "roster_pipeline", "--include=*.py"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.splitlines()
    where = {re.split(r":\d+:", line)[0] for line in found}
    assert where == {"roster_pipeline/settings/load.py"}


def test_a_results_file_has_a_download_link_only_where_the_folder_is_served(tmp_path):
    workbook = tmp_path / "results" / "sync-2026 11 23-apply.xlsx"
    assert load_district(environ={}).results_link(workbook) is None
    served = load_district(environ={"ROSTER_RESULTS_URL": "http://127.0.0.1:3001/"})
    assert served.results_link(workbook) == "http://127.0.0.1:3001/sync-2026%2011%2023-apply.xlsx"
