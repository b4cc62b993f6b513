"""Bytes -> text: BOMs, UTF-8, Windows-1252 fallback, UTF-16, binary refusal."""

from __future__ import annotations

import codecs

_BINARY_MAGIC = {
    b"PK\x03\x04": "a zip archive (an .xlsx workbook is one too): save the sheet as CSV UTF-8",
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) workbook: save the sheet as CSV UTF-8",
    b"\x1f\x8b": "a gzip archive",
}


# Bytes that never appear in text files (all C0 controls but tab, newline, CR and form feed).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


class Decoded:
    """The text of a file, or the reason it could not be read as CSV."""

    def __init__(
        self,
        text: str | None,
        encoding: str,
        problems: list[tuple[str, str, int | None]] | None = None,
        utf8: bytes | None = None,
    ) -> None:
        self._text = text
        self.encoding = encoding
        self.problems = problems or []
        """(code, message, line) triples for file-level findings."""
        self.utf8 = utf8
        """The text encoded as UTF-8, where those are the bytes read (no copy is made to parse)."""

    @property
    def readable(self) -> bool:
        """Whether the file has text to read."""
        return self._text is not None or self.utf8 is not None

    @property
    def decoded(self) -> str | None:
        """The text if it was made already (an ASCII file's is made only when asked for)."""
        return self._text

    @property
    def text(self) -> str | None:
        """The text, made from the UTF-8 bytes the first time it is asked for."""
        if self._text is None and self.utf8 is not None:
            self._text = self.utf8.decode("utf-8")
        return self._text

    def first_line(self) -> str:
        """The first line (the header), without its newline."""
        if self._text is None and self.utf8 is not None:
            end = self.utf8.find(b"\n")
            return (self.utf8 if end < 0 else self.utf8[:end]).decode("utf-8")
        text = self.text or ""
        end = text.find("\n")
        return text if end < 0 else text[:end]


def _cp1252_fallback(err: UnicodeError) -> tuple[str, int]:
    """Decode bytes that are not valid UTF-8 as Windows-1252 (undefined bytes as Latin-1)."""
    assert isinstance(err, UnicodeDecodeError)
    chunk = err.object[err.start : err.end]
    out = []
    for b in chunk:
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(bytes([b]).decode("latin-1"))
    return "".join(out), err.end


codecs.register_error("roster_cp1252", _cp1252_fallback)


def decode(data: bytes) -> Decoded:
    """Decode a CSV file's bytes; never raises."""
    if not data or data.isspace():  # (no copy of the file, unlike strip())
        return Decoded(None, "", [("FILE_EMPTY", "The file is empty (0 rows, no header).", None)])
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            return Decoded(
                None, "", [("FILE_NOT_CSV", f"This is not a CSV file: it is {what}.", 1)]
            )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
        msg = "The file is UTF-16; it was read, but please export as CSV UTF-8."
        return Decoded(text, "utf-16", [("FILE_ENCODING_UTF16", msg, None)])
    problems: list[tuple[str, str, int | None]] = []
    sample = data[:65536]
    controls = sum(sample.count(b) for b in _CONTROL_BYTES)
    if controls > max(len(sample) // 20, 8):
        return Decoded(
            None, "", [("FILE_NOT_CSV", "This is not a CSV file: it contains binary data.", 1)]
        )
    if b"\x00" in data:
        first = data.index(b"\x00")
        problems.append(
            (
                "FILE_NUL_BYTES",
                "The file contains NUL bytes; they were removed.",
                _line_at(data, first),
            )
        )
        data = data.replace(b"\x00", b"")
    encoding = "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        encoding = "utf-8-sig"
    if data.isascii():  # UTF-8 as it stands: its text is made only if a reader needs it
        return Decoded(None, encoding, problems, utf8=data)
    try:
        text = data.decode("utf-8")
        return Decoded(text, encoding, problems, utf8=data)
    except UnicodeDecodeError as err:
        text = data.decode("utf-8", errors="roster_cp1252")
        encoding = "windows-1252"
        problems.append(
            (
                "FILE_ENCODING_CP1252",
                "The file is not UTF-8; characters were read as Windows-1252. "
                "Check accented names, and export as CSV UTF-8 next time.",
                _line_at(data, err.start),
            )
        )
    return Decoded(text, encoding, problems)


def _line_at(data: bytes, offset: int) -> int:
    """Physical (1-based) line number of a byte offset."""
    return data.count(b"\n", 0, offset) + 1
