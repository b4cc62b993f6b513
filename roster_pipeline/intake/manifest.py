"""manifest.csv: OneRoster version and the bulk/delta/absent mode of each file."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from roster_pipeline import findings
from roster_pipeline.intake import csv_records, decode
from roster_pipeline.specs import ALL_FILE_KINDS, header_key

MODES = ("absent", "bulk", "delta")
_FILE_KEYS = {f"file.{header_key(k)}": k for k in ALL_FILE_KINDS}
_KNOWN_KEYS = {"manifest.version", "oneroster.version", "source.systemname", "source.systemcode"}


@dataclass
class Manifest:
    """What a manifest says, with the problems found in it."""

    present: bool
    version: str | None = None
    modes: dict[str, str] = field(default_factory=dict)
    """File kind (header_key form) -> absent | bulk | delta, for the keys that were valid."""
    properties: dict[str, str] = field(default_factory=dict)
    findings: pl.DataFrame = field(default_factory=findings.empty)

    def mode(self, kind: str) -> str:
        """The declared mode of a file kind; a file with no valid declaration is bulk."""
        mode = self.modes.get(header_key(kind), "bulk")
        return "bulk" if mode == "absent" else mode


def read_manifest(data: bytes | Path | None) -> Manifest:
    """Parse manifest.csv (its bytes, or its path) if present; every problem becomes a finding."""
    file = "manifest.csv"
    if isinstance(data, Path):
        data = data.read_bytes() if data.is_file() else None
    if data is None:
        note = findings.file_finding(
            file,
            "MANIFEST_MISSING",
            "No manifest.csv: every file present is read as a bulk (complete) file.",
        )
        return Manifest(present=False, findings=note)
    decoded = decode.decode(data)
    problems = [findings.file_finding(file, c, m, line=ln) for c, m, ln in decoded.problems]
    if decoded.text is None:
        return Manifest(present=True, findings=findings.concat(problems))
    parsed = csv_records.parse(decoded.text, file)
    problems.append(parsed.findings)
    manifest = Manifest(present=True)
    seen_file_keys: set[str] = set()
    for row in parsed.rows.iter_rows(named=True):
        key, value = (row.get("c0") or "").strip(), (row.get("c1") or "").strip()
        line = row["_line"]
        manifest.properties[key] = value
        lowered = key.lower()
        if lowered.startswith("file."):
            norm = "file." + header_key(key[5:])
            if norm not in _FILE_KEYS:
                guess = difflib.get_close_matches(norm, list(_FILE_KEYS), n=1)
                hint = f" Did you mean '{guess[0]}'?" if guess else ""
                problems.append(
                    _finding("MANIFEST_KEY_UNKNOWN", f"Unknown key '{key}'.{hint}", line)
                )
                continue
            seen_file_keys.add(norm)
            if value.lower() not in MODES:
                problems.append(
                    _finding(
                        "MANIFEST_VALUE_INVALID",
                        f"'{key}' is '{value}'; it must be absent, bulk or delta. "
                        "It was read as absent.",
                        line,
                    )
                )
                continue
            manifest.modes[norm[5:]] = value.lower()
        elif lowered == "oneroster.version":
            manifest.version = value
            if value not in ("1.0", "1.1", "1.2"):
                problems.append(
                    _finding(
                        "MANIFEST_VERSION_INVALID",
                        f"oneroster.version is '{value}'; expected 1.0, 1.1 or 1.2.",
                        line,
                    )
                )
        elif lowered not in _KNOWN_KEYS:
            guess = difflib.get_close_matches(lowered, [*_KNOWN_KEYS, *_FILE_KEYS], n=1)
            hint = f" Did you mean '{guess[0]}'?" if guess else ""
            problems.append(_finding("MANIFEST_KEY_UNKNOWN", f"Unknown key '{key}'.{hint}", line))
    for kind in ("orgs", "users", "classes", "enrollments", "academicSessions", "courses"):
        norm = f"file.{header_key(kind)}"
        if norm not in seen_file_keys:
            problems.append(
                _finding(
                    "MANIFEST_KEY_MISSING",
                    f"The manifest has no 'file.{kind}' key; it was read as absent.",
                    None,
                )
            )
    manifest.findings = findings.concat(problems)
    return manifest


def _finding(code: str, message: str, line: int | None) -> pl.DataFrame:
    return findings.file_finding("manifest.csv", code, message, line=line)
