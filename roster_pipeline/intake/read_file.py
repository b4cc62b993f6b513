"""One roster CSV file -> a frame of strings with canonical column names and line numbers."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from roster_pipeline import findings
from roster_pipeline.intake import csv_records, decode
from roster_pipeline.intake.spreadsheet import xlsx_to_csv_text
from roster_pipeline.specs import FileSpec, header_key, header_lookup


@dataclass
class RawFile:
    """A file as read: every value a string (or null when blank), ``_line`` the physical line."""

    kind: str
    file: str
    frame: pl.DataFrame
    findings: pl.DataFrame
    rows_read: int
    encoding: str
    usable: bool
    """False when the file cannot be applied at all (unreadable or a required column missing)."""
    extension_columns: tuple[str, ...] = ()


def _canonical_header(
    cells: list[str], spec: FileSpec, file: str, header_line: int
) -> tuple[list[str], list[pl.DataFrame]]:
    """Map header cells to canonical names; unknown cells stay as extension columns."""
    lookup = header_lookup(spec)
    names: list[str] = []
    seen: dict[str, int] = {}
    found: list[pl.DataFrame] = []
    for position, cell in enumerate(cells, start=1):
        name = lookup.get(header_key(cell), cell) if cell else f"column_{position}"
        if name == "*" or (name.startswith("^") and name.endswith("$")) or name == "_line":
            name = f"column_{position}"  # polars reads these as wildcard / regex / our line
        if name in seen:
            first = seen[name]
            found.append(
                findings.file_finding(
                    file,
                    "FILE_HEADER_DUPLICATE",
                    f"Column '{cell}' appears twice (columns {first} and {position}); "
                    "the first one is used.",
                    line=header_line,
                    column_name=name,
                )
            )
            name = f"{name}__{position}"
        seen.setdefault(name, position)
        names.append(name)
    return names, found


MAX_COLUMNS = 1_000
"""Wider files are refused before parsing (OneRoster files have a few dozen columns)."""


def read_roster_file(path: Path, spec: FileSpec, scope_school: str | None = None) -> RawFile:
    """Read one file of a known kind; problems become findings, never exceptions."""
    file = path.name
    empty = pl.DataFrame(schema={"_line": pl.Int64, **{c: pl.String for c in spec.columns}})
    try:
        if path.suffix.lower() == ".xlsx":
            data = xlsx_to_csv_text(path).encode()
        else:
            data = path.read_bytes()
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as err:
        found = findings.file_finding(
            file,
            "FILE_UNREADABLE",
            f"The file could not be read ({getattr(err, 'strerror', None) or type(err).__name__}).",
        )
        return RawFile(spec.kind, file, empty, found, 0, "", usable=False)
    decoded = decode.decode(data)
    problems = [findings.file_finding(file, c, m, line=ln) for c, m, ln in decoded.problems]
    if decoded.text is None:
        return RawFile(spec.kind, file, empty, findings.concat(problems), 0, "", usable=False)
    header_end = decoded.text.find("\n")
    header = decoded.text if header_end < 0 else decoded.text[:header_end]
    if header.count(",") >= MAX_COLUMNS:
        problems.append(
            findings.file_finding(
                file,
                "FILE_TOO_WIDE",
                f"The header has more than {MAX_COLUMNS} columns ({header.count(',') + 1}); a "
                "roster file has a few dozen, so this is not a roster export. No row was applied.",
                line=1,
            )
        )
        lines = sum(1 for line in decoded.text.splitlines()[1:] if line.strip())
        return RawFile(spec.kind, file, empty, findings.concat(problems), lines, "", usable=False)
    parsed = csv_records.parse(decoded.text, file)
    problems.append(parsed.findings)
    names, header_found = _canonical_header(parsed.header, spec, file, parsed.header_line)
    problems.extend(header_found)
    frame = parsed.rows.rename({f"c{i}": n for i, n in enumerate(names)})
    if scope_school is not None:
        for column in ("orgSourcedIds", "schoolSourcedId"):
            if column in spec.columns and column not in frame.columns:
                frame = frame.with_columns(pl.lit(scope_school).alias(column))
    missing = [c for c in spec.header_required if c not in frame.columns]
    usable = bool(parsed.header)
    for column in missing:
        usable = False
        problems.append(
            findings.file_finding(
                file,
                "FILE_COLUMN_MISSING",
                f"Required column '{column}' is missing from the header, so no row of this "
                "file was applied. Check the header spelling.",
                line=parsed.header_line,
                column_name=column,
            )
        )
    if parsed.header and parsed.records == 0:
        problems.append(
            findings.file_finding(
                file, "FILE_NO_ROWS", "The file has a header but no data rows; nothing changed."
            )
        )
    extensions = tuple(c for c in frame.columns if c != "_line" and c not in spec.columns)
    frame = frame.with_columns(
        pl.lit(None, pl.String).alias(c) for c in spec.columns if c not in frame.columns
    ).select("_line", *spec.columns, *extensions)
    return RawFile(
        spec.kind,
        file,
        frame,
        findings.concat(problems),
        parsed.records,
        decoded.encoding,
        usable=usable,
        extension_columns=extensions,
    )
