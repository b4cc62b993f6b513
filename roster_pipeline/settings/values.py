"""Settings as text (a variable, a TOML string) parsed into their types, one way each."""

from __future__ import annotations

TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off")


class SettingsError(ValueError):
    """A setting that cannot be used; the message names the variable or file key that set it."""


def parse_bool(text: str, source: str) -> bool:
    """``1/true/yes/on`` or ``0/false/no/off`` (any case); anything else is an error."""
    word = text.strip().lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise SettingsError(
        f"{source}: {text!r} is not a yes/no value; use one of {', '.join(TRUE + FALSE)}."
    )


def parse_int(text: str, source: str) -> int:
    """A whole number (``4294967296``, ``4_294_967_296``)."""
    try:
        return int(text.strip())
    except ValueError:
        raise SettingsError(f"{source}: {text!r} is not a whole number.") from None


def parse_float(text: str, source: str) -> float:
    """A number (``0.5``, ``10``)."""
    try:
        return float(text.strip())
    except ValueError:
        raise SettingsError(f"{source}: {text!r} is not a number.") from None


def parse_names(text: str) -> list[str]:
    """A comma-separated list; blanks dropped (an empty text is an empty list)."""
    return [v.strip() for v in text.split(",") if v.strip()]


def parse_grants(text: str, source: str) -> dict[str, list[str]]:
    """``counselor=Family Access,Engagement Visibility; ext:staff=School-Wide Communications``."""
    grants: dict[str, list[str]] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        role, sep, permissions = part.partition("=")
        if not sep or not role.strip():
            raise SettingsError(
                f"{source}: {part.strip()!r} is not role=permission,permission (e.g. "
                "'counselor=Family Access; ext:staff=School-Wide Communications')."
            )
        grants[role.strip()] = parse_names(permissions)
    return grants
