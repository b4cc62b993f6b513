"""The one reader of settings: defaults, then a ``district.toml``, then ``ROSTER_*`` variables.

    load_district()            the code location's own district (data/district.toml, all variables)
    load_district(home)        a district of ROSTER_DISTRICTS_DIR (<home>/district.toml; the
                               variables override only what is not a location or identity)
    load_deployment()          what the code location shares (districts folder, cron, time zone)

Relative paths are resolved against the settings file's folder (from the file or a default) or
the working directory (from a variable). A value that cannot be used is a ``SettingsError``
naming the variable or file key, when the settings load, never silently a default.
"""

from __future__ import annotations

import os
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pydantic
from pydantic import BaseModel

from roster_pipeline.settings.deployment import DeploymentSettings
from roster_pipeline.settings.model import DistrictSettings
from roster_pipeline.settings.values import (
    SettingsError,
    parse_bool,
    parse_float,
    parse_grants,
    parse_int,
    parse_names,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_HOME = PROJECT_ROOT / "data"
"""The home of the code location's own district, and of relative deployment paths."""
SETTINGS_FILE = "district.toml"
PATH_FIELDS = (
    "drop_dir",
    "duckdb_path",
    "results_dir",
    "guardians_path",
    "relationships_path",
)
TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")
"""District folder names usable as partition keys, tags and tenant ids."""


def _kind(model: type[BaseModel], name: str) -> Any:
    annotation = model.model_fields[name].annotation
    return typing.get_origin(annotation) or annotation


def _coerce(model: type[BaseModel], name: str, value: Any, source: str) -> Any:
    """``value`` (text from a variable, or a TOML value) as the field's type."""
    kind = _kind(model, name)
    if isinstance(value, str):
        if kind is bool:
            return parse_bool(value, source)
        if kind is int:
            return parse_int(value, source)
        if kind is float:
            return parse_float(value, source)
        if kind is list:
            return parse_names(value)
        if kind is dict:
            return parse_grants(value, source)
        return value
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    wanted = {bool: bool, int: int, float: float, list: list, dict: dict, str: str}.get(kind)
    if (wanted is not None and not isinstance(value, wanted)) or isinstance(value, types.NoneType):
        raise SettingsError(f"{source}: {value!r} is not a {getattr(kind, '__name__', kind)}.")
    if kind is bool and not isinstance(value, bool):
        raise SettingsError(f"{source}: {value!r} is not true or false.")
    return value


def _file_values(path: Path, model: type[BaseModel]) -> dict[str, tuple[Any, str]]:
    """The settings a TOML file sets: field -> (value, source)."""
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as bad:
        raise SettingsError(f"{path}: not a readable TOML file ({bad}).") from None
    unknown = sorted(set(data) - set(model.model_fields))
    if unknown:
        raise SettingsError(
            f"{path}: unknown setting(s) {unknown}; the settings are listed in docs/settings.md."
        )
    return {
        name: (_coerce(model, name, value, f"{path}: {name}"), "file")
        for name, value in data.items()
    }


def _env_values(
    environ: Mapping[str, str], model: type[BaseModel], names: typing.Iterable[str]
) -> dict[str, tuple[Any, str]]:
    found = {}
    for name in names:
        env = model.model_fields[name].json_schema_extra["env"]
        if env in environ:
            found[name] = (_coerce(model, name, environ[env], env), "env")
    return found


def _validated(
    model: type[BaseModel], values: dict[str, Any], sources: Mapping[str, str], file: Path | None
) -> Any:
    """The model, or a ``SettingsError`` naming where each bad value came from."""
    try:
        return model.model_validate(values)
    except pydantic.ValidationError as bad:
        problems = []
        for error in bad.errors():
            name = str(error["loc"][0]) if error["loc"] else ""
            source = sources.get(name, "default")
            if source == "env":
                where = model.model_fields[name].json_schema_extra["env"]
            elif source == "file":
                where = f"{file}: {name}"
            else:
                where = name or "settings"
            problems.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
        raise SettingsError("; ".join(problems)) from None


def load_deployment(environ: Mapping[str, str] | None = None) -> DeploymentSettings:
    """The code location's shared settings, from ``ROSTER_*`` variables and defaults."""
    environ = os.environ if environ is None else environ
    raw = _env_values(environ, DeploymentSettings, DeploymentSettings.model_fields)
    values = {name: value for name, (value, _) in raw.items()}
    for name in ("settings_file", "districts_dir"):
        text = values.get(name, DeploymentSettings.model_fields[name].default)
        base = Path.cwd() if name in raw else DATA_HOME
        values[name] = str(base / text)
    return _validated(DeploymentSettings, values, {n: s for n, (_, s) in raw.items()}, None)


def load_district(
    home: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> DistrictSettings:
    """One district's settings.

    ``home`` None: the code location's own district, from ``ROSTER_SETTINGS_FILE`` (default
    ``data/district.toml``) and every variable. ``home`` a folder of ``ROSTER_DISTRICTS_DIR``:
    from ``<home>/district.toml``, its tenant id its folder name; the variables override the
    settings every district shares, never a location. ``overrides`` (scripts and tests) last.
    """
    environ = os.environ if environ is None else environ
    fields = DistrictSettings.model_fields
    if home is None:
        settings_file = Path(load_deployment(environ).settings_file)
        from_env = list(fields)
    else:
        settings_file = Path(home) / SETTINGS_FILE
        from_env = [n for n in fields if not fields[n].json_schema_extra["per_district"]]
    base = settings_file.parent
    raw = _file_values(settings_file, DistrictSettings)
    if home is not None:
        tenant = Path(home).name
        if raw.get("tenant_id", (tenant,))[0] != tenant:
            raise SettingsError(
                f"{settings_file}: tenant_id must be the district's folder name ({tenant!r})."
            )
        raw["tenant_id"] = (tenant, "file")
    raw |= _env_values(environ, DistrictSettings, from_env)
    for name, value in (overrides or {}).items():
        if name not in fields:
            raise SettingsError(f"unknown setting {name!r}")
        raw[name] = (_coerce(DistrictSettings, name, value, name), "env")
    values = {name: value for name, (value, _) in raw.items()}
    for name in PATH_FIELDS:
        text = values.get(name, fields[name].default)
        if text:
            where = Path.cwd() if raw.get(name, (None, "default"))[1] == "env" else base
            values[name] = str((where / Path(text).expanduser()).resolve())
    sources = {name: source for name, (_, source) in raw.items()}
    return _validated(DistrictSettings, values, sources, settings_file)


def district_homes(root: Path) -> list[Path]:
    """The districts of a many-district deployment, sorted.

    Folders under ``root`` with a ``drop`` folder whose names are usable tenant ids.
    """
    if not root.is_dir():
        return []
    return sorted(d for d in root.iterdir() if TENANT.match(d.name) and (d / "drop").is_dir())
