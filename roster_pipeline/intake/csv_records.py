"""Text -> records with physical line numbers (polars' native reader or string operations).

A clean file is read by polars' native CSV reader; any other by vectorized polars string
operations, RFC 4180 with the tolerance real exports need: CRLF or LF, blank lines, quoted
fields holding commas, quotes or newlines, ragged rows, unbalanced quotes. Every record keeps
the physical line number where it starts in the source file, so findings can point at it.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import polars as pl

from roster_pipeline import findings

# Each field is preceded by a comma (one is prepended to every record): quoted or bare.
_FIELD = r',("(?:[^"]|"")*"|[^,"]*)'


@dataclass
class ParsedCsv:
    """Header cells, data rows (``_line`` + one string column per header cell) and findings."""

    header: list[str]
    header_line: int
    rows: pl.DataFrame
    findings: pl.DataFrame
    records: int
    """Data records read (rows read, whether parsed or reported)."""


def _records(text: str) -> tuple[pl.DataFrame, list[int]]:
    """Split LF-ended text into records (``_line``, ``text``); the lines of unbalanced quotes."""
    lines = (
        pl.DataFrame({"text": [text]})
        .select(pl.col("text").str.split("\n"))
        .explode("text")
        .with_row_index("_line", offset=1)
        .with_columns(pl.col("_line").cast(pl.Int64))
    )
    odd = (lines["text"].str.count_matches('"', literal=True) % 2).cast(pl.Int8)
    if odd.sum() == 0:
        return lines, []
    broken: list[int] = []
    while True:
        after = odd.cum_sum() % 2
        if after[-1] == 0:
            break
        openers = ((after - odd == 0) & (odd == 1)).arg_true()
        last = int(openers[-1])
        broken.append(last + 1)
        odd = odd.scatter(last, 0)
    starts = (odd.cum_sum() % 2) - odd == 0
    if starts.all():
        return lines, broken
    merged = (
        lines.with_columns(_record=starts.cum_sum())
        .group_by("_record", maintain_order=True)
        .agg(pl.col("_line").first(), pl.col("text").str.join("\n"))
        .drop("_record")
    )
    return merged, broken


def _unquote(raw: pl.Expr) -> pl.Expr:
    """Strip surrounding quotes and doubled quotes; trim; blank -> null."""
    value = (
        pl.when(raw.str.starts_with('"'))
        .then(raw.str.slice(1, raw.str.len_chars() - 2).str.replace_all('""', '"', literal=True))
        .otherwise(raw)
        .str.strip_chars()
    )
    return pl.when(value == "").then(None).otherwise(value)


def _unquote_cell(cell: str) -> str:
    """One header cell without its quotes."""
    if len(cell) >= 2 and cell.startswith('"') and cell.endswith('"'):
        cell = cell[1:-1].replace('""', '"')
    return cell.strip()


_NOT_IN_CSV = "\x1f"
"""The unit separator: splitting lines natively on a character a roster never holds."""


def _header_cells(line: str) -> list[str] | None:
    """The header line's cells, or None when its quotes are malformed."""
    matched = re.findall(_FIELD, "," + line)
    if sum(len(m) + 1 for m in matched) != len(line) + 1:
        return None
    return [_unquote_cell(m).lstrip("\ufeff") for m in matched]


def _parse_clean(text: str, file: str) -> ParsedCsv | None:
    """The common case, read by polars' native (multi-threaded) CSV reader.

    Only for a file where every record is one physical line with exactly the header's cells and
    well-formed quotes, and no blank line: then record ``i`` is line ``i + 2`` and the values are
    exactly what the careful parser gives. Any other file returns None (the careful parser reads
    it and reports what is wrong, line by line).
    """
    if text.endswith("\n\n"):  # blank lines at the end are skipped by both parsers
        text = text.rstrip("\n") + "\n"
    blank = not text or text.isspace()  # (these tests scan the text without copying it)
    if _NOT_IN_CSV in text or "\n\n" in text or blank or text.find("\ufeff", 1) >= 0:
        return None  # (polars drops a byte-order mark at the start of the rows it reads)
    data = text.encode()
    read = {"has_header": False, "infer_schema": False, "empty_string_is_null": False}
    try:
        lines = pl.read_csv(
            io.BytesIO(data), separator=_NOT_IN_CSV, quote_char=None, new_columns=["text"], **read
        )["text"]
        header = _header_cells(lines[0])
        if header is None or header[-1] == "" or lines.len() < 2:
            return None
        width = len(header)
        body = lines.slice(1).to_frame()
        quoted = pl.col("text").str.contains('"', literal=True)
        plain_ok = pl.col("text").str.count_matches(",", literal=True) == width - 1
        if width == 1:
            plain_ok = plain_ok & (pl.col("text").str.strip_chars() != "")
        if not body.select((quoted | plain_ok).all()).item():
            return None
        quoted_lines = body.filter(quoted)
        if quoted_lines.height:
            matched = quoted_lines.select(
                (pl.lit(",") + pl.col("text")).str.extract_all(_FIELD).alias("m"),
                pl.col("text").str.len_chars().alias("n"),
            )
            covered = matched.select(
                (pl.col("m").list.eval(pl.element().str.len_chars()).list.sum() == pl.col("n") + 1)
                & (pl.col("m").list.len() == width)
            )
            if not covered.to_series().all():
                return None
        records = lines.len() - 1
        del body, quoted_lines, lines
        names = [f"c{i}" for i in range(width)]
        rows = pl.read_csv(io.BytesIO(data), skip_lines=1, new_columns=names, **read)
    except (pl.exceptions.PolarsError, UnicodeError):
        return None
    if rows.height != records:
        return None
    rows = rows.select(
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias("_line"),
        *[pl.col(c).str.strip_chars().replace("", None) for c in names],
    )
    return ParsedCsv(header, 1, rows, findings.empty(), rows.height)


def parse(text: str, file: str) -> ParsedCsv:
    """Parse CSV text; never raises on malformed content (problems become findings)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _parse_clean(text, file) or _parse_careful(text, file)


def _parse_careful(text: str, file: str) -> ParsedCsv:
    """Any text, record by record: broken quotes, ragged and blank rows become findings."""
    records, broken = _records(text)
    records = records.filter(pl.col("text").str.strip_chars() != "")
    found: list[pl.DataFrame] = [
        findings.file_finding(
            file,
            "CSV_UNBALANCED_QUOTE",
            "A quote opened on this line is never closed; the row was not read. "
            "Remove the stray quote or close it.",
            line=line,
        )
        for line in broken
    ]
    if records.is_empty():
        found.append(findings.file_finding(file, "FILE_EMPTY", "The file has no header row."))
        empty_rows = pl.DataFrame(schema={"_line": pl.Int64})
        return ParsedCsv([], 0, empty_rows, findings.concat(found), 0)
    quoted = pl.col("text").str.contains('"', literal=True)
    fields = pl.concat(
        [
            # Rows without a quote (most of them): a plain split is exact and fast.
            records.filter(~quoted).with_columns(
                _fields=pl.col("text").str.split(","), _malformed=pl.lit(False)
            ),
            # Quoted rows: each field is a quoted or bare run, preceded by a comma.
            records.filter(quoted)
            .with_columns(_matched=(pl.lit(",") + pl.col("text")).str.extract_all(_FIELD))
            .with_columns(
                _fields=pl.col("_matched").list.eval(pl.element().str.slice(1)),
                _malformed=pl.col("_matched").list.eval(pl.element().str.len_chars()).list.sum()
                != pl.col("text").str.len_chars() + 1,
            )
            .drop("_matched"),
        ]
    ).sort("_line")
    # rechunked: polars 2.1 panicked formatting findings over the sorted parts' string views
    fields = fields.rechunk().with_columns(_width=pl.col("_fields").list.len())
    header_row = fields.row(0, named=True)
    header = [_unquote_cell(h) for h in header_row["_fields"]]
    header = [h.lstrip("\ufeff") for h in header]
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    records_read = fields.height - 1
    body = fields.slice(1).filter(~pl.col("_line").is_in(broken))
    malformed = pl.col("_malformed")
    wide = body.filter(~malformed & (pl.col("_width") > width)).filter(
        pl.col("_fields")
        .list.slice(width)
        .list.eval(pl.element().str.replace_all(r'[,"\s]', ""))
        .list.join("")
        != ""
    )
    too_many = pl.col("_line").is_in(wide["_line"].implode())

    found.append(
        findings.row_findings(
            body,
            malformed,
            file=file,
            column_name=None,
            code="CSV_MALFORMED_QUOTES",
            message="Quotes in this row are malformed (text after a closing quote); "
            "the row was not read.",
        )
    )
    shape = "This row has {} cells but the header has {}; "
    for mask, code, consequence in (
        (
            ~malformed & too_many,
            "CSV_TOO_MANY_FIELDS",
            "it was not read: its columns may be shifted.",
        ),
        (~malformed & (pl.col("_width") < width), "CSV_RAGGED_ROW", "missing cells read as blank."),
    ):
        found.append(
            findings.row_findings(
                body,
                mask,
                file=file,
                column_name=None,
                code=code,
                message=pl.format(shape + consequence, pl.col("_width"), pl.lit(width)),
            )
        )
    good = body.filter(~malformed & ~too_many)
    rows = good.select(
        pl.col("_line"),
        *[
            _unquote(pl.col("_fields").list.get(i, null_on_oob=True)).alias(f"c{i}")
            for i in range(width)
        ],
    )
    return ParsedCsv(header, int(header_row["_line"]), rows, findings.concat(found), records_read)
