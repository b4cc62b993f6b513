"""The command lines read the district's settings the way the assets do."""

import duckdb

from roster_pipeline.cli.restore import main as restore_command
from roster_pipeline.cli.sync import main as sync_command
from roster_pipeline_tests.conftest import SAMPLE


def test_the_sync_command_honours_roster_duckdb_path_and_the_settings_file(
    tmp_path, monkeypatch, capsys
):
    db = tmp_path / "district" / "lincoln.duckdb"
    (tmp_path / "settings").mkdir()
    (tmp_path / "settings" / "district.toml").write_text('tenant_id = "lincoln-usd"\n')
    monkeypatch.setenv("ROSTER_SETTINGS_FILE", str(tmp_path / "settings" / "district.toml"))
    monkeypatch.setenv("ROSTER_DUCKDB_PATH", str(db))
    assert sync_command(["--folder", str(SAMPLE), "--mode", "apply"]) == 0
    assert "applied" in capsys.readouterr().out
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT DISTINCT tenant_id FROM users").fetchall() == [("lincoln-usd",)]
    assert list((db.parent / "results").glob("sync-*-apply-applied-*.xlsx"))
    assert not (tmp_path / "settings" / "roster.duckdb").exists()  # not the default file
    assert restore_command(["--list"]) == 0  # the restore command reads the same variable
    assert "roster" in capsys.readouterr().out


def test_unusable_settings_stop_the_command_with_the_variable_named(monkeypatch, capsys):
    monkeypatch.setenv("ROSTER_SYNC_MANAGES_GUARDIANS", "sometimes")
    assert sync_command(["--folder", str(SAMPLE)]) == 2
    assert "ROSTER_SYNC_MANAGES_GUARDIANS: 'sometimes' is not a yes/no value" in (
        capsys.readouterr().err
    )
