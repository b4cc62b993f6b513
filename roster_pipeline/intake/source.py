"""Where a batch's files come from: a folder, or a ``.zip`` read member by member.

A zip (the OneRoster CSV binding's exchange format) may hold its files at the root or in one
folder inside. Each member is read into memory on its own (nothing is extracted to disk). An
archive that could hurt the machine or hide files is refused whole, with one error finding per
offending member: names that leave the archive (``../x``, ``/etc/x``), symlinks, encrypted
members, archives inside the archive, and zip bombs (a total uncompressed size or a compression
ratio over the limits).
"""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import polars as pl

from roster_pipeline import findings
from roster_pipeline.findings import (
    ARCHIVE_ENCRYPTED,
    ARCHIVE_LAYOUT,
    ARCHIVE_NESTED,
    ARCHIVE_PATH_UNSAFE,
    ARCHIVE_SYMLINK,
    ARCHIVE_TOO_LARGE,
    ARCHIVE_UNREADABLE,
)

FILE_SUFFIXES = (".csv",)
"""Files of a batch that are read (others in a folder are not part of the export)."""
NESTED_SUFFIXES = (".zip", ".gz", ".tgz", ".tar", ".7z", ".rar", ".bz2", ".xz")
"""Member names that are archives themselves (refused: an archive is read one level deep)."""
IGNORED_PREFIXES = ("__MACOSX/",)
"""Folders that archivers add beside the files (macOS resource forks): skipped silently."""
RATIO_FLOOR_BYTES = 1 << 20
"""The ratio limit applies to members above this size (a tiny file compresses as it likes)."""


@dataclass(frozen=True)
class ArchiveLimits:
    """What a zip batch may expand to (district settings)."""

    max_bytes: int = 4 << 30
    """Total uncompressed size of all members."""
    max_ratio: float = 250.0
    """Uncompressed / compressed size of one member (roster CSVs compress 5-20x)."""


@dataclass(frozen=True)
class Member:
    """One file of a batch: its name as findings show it, its size, and how to read it."""

    name: str
    size: int
    read: Callable[[], bytes]
    stream: Callable[[], AbstractContextManager[BinaryIO]]
    """The same bytes as ``read`` gives, as a file to read in pieces (to hash a big file)."""


@dataclass
class BatchSource:
    """The files of one batch, or why its archive was refused."""

    path: Path
    """The folder or the ``.zip`` file."""
    name: str
    """The batch's name: the folder's, or the zip's without ``.zip``."""
    members: list[Member]
    findings: pl.DataFrame
    """Archive-level findings (refusals)."""
    archive: str | None = None
    """The zip's file name, when the batch is one."""
    refused: bool = False


def is_zip_batch(path: Path) -> bool:
    """Whether ``path`` names a zip batch (by its name: the bytes are checked when read)."""
    return path.suffix.lower() == ".zip"


def open_source(path: Path, limits: ArchiveLimits | None = None) -> BatchSource:
    """The files of the batch at ``path`` (a folder or a ``.zip``); never raises on content."""
    if is_zip_batch(path) and path.is_file():
        return _zip_source(path, limits or ArchiveLimits())
    members = [
        Member(p.name, p.stat().st_size, p.read_bytes, partial(p.open, "rb"))
        for p in sorted(path.iterdir())
        if p.is_file() and p.suffix.lower() in FILE_SUFFIXES
    ]
    return BatchSource(path, path.resolve().name, members, findings.empty())


def _read_member(path: Path, info: zipfile.ZipInfo) -> Callable[[], bytes]:
    def read() -> bytes:
        # one handle per read: members are read two at a time, in threads
        with zipfile.ZipFile(path) as archive, archive.open(info) as handle:
            return handle.read(info.file_size + 1)[: info.file_size]

    return read


def _stream_member(path: Path, info: zipfile.ZipInfo) -> Callable[[], Iterator[BinaryIO]]:
    @contextmanager
    def stream() -> Iterator[BinaryIO]:
        with zipfile.ZipFile(path) as archive, archive.open(info) as handle:
            yield handle

    return stream


def _refusal(archive: str, member: str, info: zipfile.ZipInfo, limits: ArchiveLimits) -> tuple:
    """(code, message) when one member makes the archive unsafe, else None."""
    pure = PurePosixPath(member.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts or (pure.parts and ":" in pure.parts[0]):
        return ARCHIVE_PATH_UNSAFE, (
            f"{archive} holds '{member}', a name that points outside the archive; "
            "such archives are refused."
        )
    if stat.S_ISLNK(info.external_attr >> 16):
        return ARCHIVE_SYMLINK, f"{archive} holds '{member}', a symbolic link; links are refused."
    if info.flag_bits & 0x1:
        return ARCHIVE_ENCRYPTED, (
            f"{archive} holds '{member}' encrypted (password-protected); send the archive "
            "without a password."
        )
    if member.lower().endswith(NESTED_SUFFIXES):
        return ARCHIVE_NESTED, (
            f"{archive} holds '{member}', an archive inside the archive; put the CSV files "
            "in one zip."
        )
    if info.file_size > RATIO_FLOOR_BYTES and info.file_size > limits.max_ratio * max(
        info.compress_size, 1
    ):
        ratio = info.file_size / max(info.compress_size, 1)
        return ARCHIVE_TOO_LARGE, (
            f"{archive}: '{member}' expands {ratio:,.0f} times (the limit is "
            f"{limits.max_ratio:,.0f}); this looks like a zip bomb and was refused."
        )
    return None


def _zip_source(path: Path, limits: ArchiveLimits) -> BatchSource:
    archive = path.name
    name = path.name[: -len(".zip")]
    refused: list[pl.DataFrame] = []

    def refuse(code: str, message: str) -> None:
        refused.append(findings.file_finding(archive, code, message))

    try:
        with zipfile.ZipFile(path) as handle:
            infos = handle.infolist()
    except (OSError, zipfile.BadZipFile, ValueError) as err:
        refuse(ARCHIVE_UNREADABLE, f"{archive} is not a readable zip archive ({err}).")
        return BatchSource(path, name, [], findings.concat(refused), archive, refused=True)
    files: list[tuple[PurePosixPath, zipfile.ZipInfo]] = []
    for info in infos:
        member = info.filename
        if info.is_dir() or member.startswith(IGNORED_PREFIXES):
            continue
        problem = _refusal(archive, member, info, limits)
        if problem is not None:
            refuse(*problem)
            continue
        pure = PurePosixPath(member)
        if pure.name.startswith("."):
            continue  # .DS_Store and other hidden files archivers add
        files.append((pure, info))
    total = sum(info.file_size for _, info in files)
    if total > limits.max_bytes:
        refuse(
            ARCHIVE_TOO_LARGE,
            f"{archive} expands to {total:,} bytes, over the limit of {limits.max_bytes:,}; "
            "it was refused (raise ROSTER_ZIP_MAX_BYTES if the district is this large).",
        )
    names = [pure.name.lower() for pure, _ in files if pure.suffix.lower() in FILE_SUFFIXES]
    for twice in sorted({n for n in names if names.count(n) > 1}):
        refuse(ARCHIVE_LAYOUT, f"{archive} holds '{twice}' more than once; send one of each file.")
    folders = {pure.parent for pure, _ in files if pure.suffix.lower() in FILE_SUFFIXES}
    if len(folders) > 1 or any(len(f.parts) > 1 for f in folders):
        shown = ", ".join(sorted(str(f) if str(f) != "." else "(root)" for f in folders))
        refuse(
            ARCHIVE_LAYOUT,
            f"{archive} holds CSV files in more than one folder or deeper than one level "
            f"({shown}); put them at the root or in one folder.",
        )
    if refused:
        return BatchSource(path, name, [], findings.concat(refused), archive, refused=True)
    members = [
        Member(pure.name, info.file_size, _read_member(path, info), _stream_member(path, info))
        for pure, info in sorted(files, key=lambda f: f[0].name)
        if pure.suffix.lower() in FILE_SUFFIXES
    ]
    return BatchSource(path, name, members, findings.empty(), archive)
