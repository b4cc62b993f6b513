"""One roster CSV file -> a frame of strings with canonical column names and line numbers."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from roster_pipeline import findings
from roster_pipeline.findings import FILE_SECRET_DROPPED
from roster_pipeline.intake import csv_records, decode
from roster_pipeline.intake.secrets import is_secret_column
from roster_pipeline.intake.spreadsheet import xlsx_to_csv_text
from roster_pipeline.specs import ONEROSTER_1_0_MARKERS, FileSpec, header_key, header_lookup


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
    headers: dict[str, str] = field(default_factory=dict)
    """Canonical column -> the header cell as the file spells it (for messages)."""
    version_markers: tuple[str, ...] = ()
    """Header cells only OneRoster 1.0 uses (``agents``, ``termSourcedId``, ...)."""
    context: str | None = None
    """What a row's reading depends on besides its own text (kind, header, scope); None: the
    file's rows cannot be recognised from an earlier batch (not clean, or credentials dropped)."""
    hashes: pl.DataFrame | None = None
    """``_line``, ``h1``, ``h2`` of the rows in ``frame`` (with ``context``)."""
    known: pl.DataFrame | None = None
    """``_line``, ``h1``, ``h2`` of rows recognised from an earlier batch and not read again."""
    unsent: pl.DataFrame | None = None
    """``h1``, ``h2`` of the earlier batch's rows that no line sends again (with ``known``)."""

    def header(self, column: str) -> str:
        """The file's own name of a canonical column."""
        return self.headers.get(column, column)


def _canonical_header(
    cells: list[str], spec: FileSpec, file: str, header_line: int
) -> tuple[list[str], list[pl.DataFrame]]:
    """Map header cells to canonical names; unknown cells stay as extension columns.

    An alias whose usual column is also in the header under its own name takes its other
    meaning (``taken_aliases``) or stays an extension: OneRoster 1.0's ``userId`` beside
    ``sourcedId`` is an identifier, not a second id.
    """
    lookup = header_lookup(spec)
    literal = {header_key(c) for c in cells} & {header_key(c) for c in spec.columns}
    names: list[str] = []
    seen: dict[str, int] = {}
    found: list[pl.DataFrame] = []
    for position, cell in enumerate(cells, start=1):
        key = header_key(cell)
        name = lookup.get(key, cell) if cell else f"column_{position}"
        if key not in literal and header_key(name) in literal:
            name = spec.taken_aliases.get(key, cell)
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


def _drop_secrets(
    parsed: csv_records.ParsedCsv, file: str
) -> tuple[csv_records.ParsedCsv, pl.DataFrame]:
    """Remove every credential column (by its header) before any value is looked at.

    The notice names the columns that held something (an empty column drops nothing).
    """
    secret = {i for i, cell in enumerate(parsed.header) if is_secret_column(cell)}
    if not secret:
        return parsed, findings.empty()
    columns = set(parsed.rows.columns)
    held = [
        parsed.header[i]
        for i in sorted(secret)
        if f"c{i}" in columns and parsed.rows[f"c{i}"].count()
    ]
    kept = [i for i in range(len(parsed.header)) if i not in secret]
    rows = parsed.rows.select("_line", *(f"c{i}" for i in kept if f"c{i}" in columns)).rename(
        {f"c{i}": f"c{j}" for j, i in enumerate(kept) if f"c{i}" in columns}
    )
    parsed = replace(parsed, header=[parsed.header[i] for i in kept], rows=rows)
    if not held:
        return parsed, findings.empty()
    names = ", ".join(f"'{cell}'" for cell in held)
    what = (
        f"Columns {names} hold credentials and were"
        if len(held) > 1
        else f"Column {names} holds credentials and was"
    )
    note = findings.file_finding(
        file,
        FILE_SECRET_DROPPED,
        f"{what} dropped unread: passwords, PINs and tokens are never stored.",
        line=parsed.header_line,
    )
    return parsed, note


MAX_COLUMNS = 1_000
"""Wider files are refused before parsing (OneRoster files have a few dozen columns)."""


def _version_markers(spec: FileSpec, header: list[str], spelled: dict[str, str]) -> tuple:
    """The header cells that only OneRoster 1.0 files have."""
    markers = [c for c in header if header_key(c) in ONEROSTER_1_0_MARKERS.get(spec.kind, ())]
    if header_key(spelled.get("userIds", "")) in spec.taken_aliases:
        markers.append(spelled["userIds"])  # 1.0's userId beside sourcedId
    return tuple(markers)


def _empty(spec: FileSpec) -> pl.DataFrame:
    return pl.DataFrame(schema={"_line": pl.Int64, **{c: pl.String for c in spec.columns}})


KnownRows = Callable[[str], pl.DataFrame | None]
"""A file's context -> ``h1``, ``h2`` of the rows an earlier batch had without a finding."""


def _context(spec: FileSpec, header_line: str, scope_school: str | None) -> str:
    return "\n".join((spec.kind, header_line, scope_school or ""))


def read_roster_file(path: Path, spec: FileSpec, scope_school: str | None = None) -> RawFile:
    """Read one file of a known kind from disk (CSV, or an upload's .xlsx); never raises."""
    return read_roster_data(path.name, lambda: _file_bytes(path), spec, scope_school)


def _file_bytes(path: Path) -> bytes:
    return xlsx_to_csv_text(path).encode() if path.suffix.lower() == ".xlsx" else path.read_bytes()


def read_roster_data(
    file: str,
    read: Callable[[], bytes],
    spec: FileSpec,
    scope_school: str | None = None,
    known: KnownRows | None = None,
) -> RawFile:
    """Read one file of a known kind from ``read()``'s bytes; problems become findings."""
    empty = _empty(spec)
    try:
        data = read()
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as err:
        found = findings.file_finding(
            file,
            "FILE_UNREADABLE",
            f"The file could not be read ({getattr(err, 'strerror', None) or type(err).__name__}).",
        )
        return RawFile(spec.kind, file, empty, found, 0, "", usable=False)
    return read_roster_bytes(file, data, spec, scope_school, known)


def read_roster_bytes(
    file: str,
    data: bytes,
    spec: FileSpec,
    scope_school: str | None = None,
    known: KnownRows | None = None,
) -> RawFile:
    """Read one file of a known kind from its bytes; problems become findings, never raises.

    ``known``: rows an earlier batch read, under the same context, without a finding are
    recognised by their hash and not parsed again (``RawFile.known``).
    """
    empty = _empty(spec)
    decoded = decode.decode(data)
    problems = [findings.file_finding(file, c, m, line=ln) for c, m, ln in decoded.problems]
    if not decoded.readable:
        return RawFile(spec.kind, file, empty, findings.concat(problems), 0, "", usable=False)
    header = decoded.first_line()
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
    context: list[str] = []

    def recognised(header_line: str) -> pl.DataFrame | None:
        cells = csv_records.header_cells(header_line) or []
        if decoded.problems or any(is_secret_column(c) for c in cells):
            return None  # a decoding finding has a line; a dropped column's notice reads values
        context.append(_context(spec, header_line, scope_school))
        return known(context[0]) if known is not None else None

    parsed = csv_records.parse(decoded.decoded, file, recognised, utf8=decoded.utf8)
    problems.append(parsed.findings)
    parsed, secret_note = _drop_secrets(parsed, file)
    problems.append(secret_note)
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
    spelled = {n: c for n, c in zip(names, parsed.header, strict=False) if c and n in spec.columns}
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
        headers=spelled,
        version_markers=_version_markers(spec, parsed.header, spelled),
        context=context[0] if context and parsed.hashes is not None and usable else None,
        hashes=parsed.hashes,
        known=parsed.known,
        unsent=parsed.unsent,
    )
