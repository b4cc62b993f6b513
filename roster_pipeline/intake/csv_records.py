"""Text -> records with physical line numbers (polars' native reader or string operations).

A clean file is read by polars' native CSV reader; any other by vectorized polars string
operations, RFC 4180 with the tolerance real exports need: CRLF or LF, blank lines, quoted
fields holding commas, quotes or newlines, ragged rows, unbalanced quotes. Every record keeps
the physical line number where it starts in the source file, so findings can point at it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from roster_pipeline import findings
from roster_pipeline.normalize.distinct import repeated

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
    hashes: pl.DataFrame | None = None
    """``_line``, ``h1``, ``h2``: the 128-bit hash of each row of ``rows`` (clean files only)."""
    known: pl.DataFrame | None = None
    """``_line``, ``h1``, ``h2`` of the rows not parsed because ``known`` recognised them."""
    unsent: pl.DataFrame | None = None
    """``h1``, ``h2`` of the rows ``known`` knew that no line sends again (with ``known``)."""


KnownLines = Callable[[str], pl.DataFrame | None]
"""Header line -> ``h1``, ``h2`` of the rows validated without a finding under that header."""
LINE_SEEDS = (0x0D15_7121, 0x5C40_0150)
"""The two seeds of a row's 128-bit hash (polars' ``Series.hash``; stable within a version)."""


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
_BOM_CHAR = "\ufeff"


def header_cells(line: str) -> list[str] | None:
    """The header line's cells, or None when its quotes are malformed."""
    matched = re.findall(_FIELD, "," + line)
    if sum(len(m) + 1 for m in matched) != len(line) + 1:
        return None
    return [_unquote_cell(m).lstrip("\ufeff") for m in matched]


def _inner_bom(lines: pl.Series, data: bytes) -> bool:
    """Whether a byte-order mark stands anywhere but at the very start (none in ASCII)."""
    if data.isascii():
        return False
    return (
        lines[0].find("\ufeff", 1) >= 0
        or lines.slice(1).str.contains(_BOM_CHAR, literal=True).any()
    )


def _sent_again(memo: pl.DataFrame, hashes: pl.DataFrame) -> pl.DataFrame:
    """Each of ``memo``'s rows (``h1``, ``h2``) with the line sending it again (``_line``).

    Null where none does. One join on ``h1`` (a two-key join takes twice as long), ``h2``
    compared after; the verify of ``row_memo`` then looks up only the few rows left null.
    A line repeated is never recognised: where a memo row's ``h1`` is on two lines (the join
    gives it twice), those lines are left out and it is joined again.
    """

    def join(lines: pl.DataFrame) -> pl.DataFrame:
        other = lines.lazy().select("_line", "h1", pl.col("h2").alias("_h2"))
        return (
            memo.lazy()
            .join(other, on="h1", how="left")
            .select("h1", "h2", pl.when(pl.col("_h2") == pl.col("h2")).then("_line").alias("_line"))
            .collect()
        )

    sent = join(hashes)
    if sent.height != memo.height:
        twice = repeated(hashes.get_column("h1"))
        sent = join(hashes.filter(~pl.col("h1").is_in(twice.implode())))
    return sent


def _split_known(
    lines: pl.Series, known: KnownLines | None
) -> tuple[pl.DataFrame, pl.DataFrame | None, pl.DataFrame | None]:
    """Every data line's hash; those ``known`` recognises (a line repeated never is) apart.

    Third: the hashes of the rows ``known`` knew that no line sends again.
    """
    body = lines.slice(1)
    hashes = pl.DataFrame(
        {
            "_line": pl.int_range(2, body.len() + 2, dtype=pl.Int64, eager=True),
            "h1": body.hash(LINE_SEEDS[0]),
            "h2": body.hash(LINE_SEEDS[1]),
        }
    )
    memo = known(lines[0]) if known is not None else None
    if memo is None or memo.is_empty():
        return hashes, None, None
    sent = _sent_again(memo, hashes)
    again = sent.get_column("_line").drop_nulls()
    hit = pl.repeat(False, hashes.height, dtype=pl.Boolean, eager=True).scatter(again - 2, True)
    if not again.len() or hit.sum() != again.len():  # none; or a line the memo holds twice
        return hashes, None, None
    return (
        hashes.filter(~hit),
        hashes.filter(hit),
        sent.filter(pl.col("_line").is_null()).drop("_line"),
    )


def _utf8(text: str | None, utf8: bytes | None) -> bytes:
    """The text's UTF-8 bytes, end blank lines dropped (both parsers skip them)."""
    assert text is not None or utf8 is not None
    data = text.encode() if utf8 is None else utf8
    if data.endswith(b"\n\n"):
        data = data.rstrip(b"\n") + b"\n"
    return data


def _parse_clean(
    text: str | None, file: str, known: KnownLines | None = None, utf8: bytes | None = None
) -> ParsedCsv | None:
    """The common case, read by polars' native (multi-threaded) CSV reader.

    Only for a file where every record is one physical line with exactly the header's cells and
    well-formed quotes, and no blank line: then record ``i`` is line ``i + 2`` and the values are
    exactly what the careful parser gives. Any other file returns None (the careful parser reads
    it and reports what is wrong, line by line). ``utf8``: the text encoded, if at hand (then
    ``text`` may be None: it is not made).
    """
    data = _utf8(text, utf8)
    if _NOT_IN_CSV.encode() in data or not data or data.isspace():
        return None
    read = {"has_header": False, "infer_schema": False, "empty_string_is_null": False}
    try:
        lines = pl.read_csv(
            io.BytesIO(data), separator=_NOT_IN_CSV, quote_char=None, new_columns=["text"], **read
        )["text"]
        if (lines.str.len_bytes() == 0).any() or _inner_bom(lines, data):
            return None  # a blank line; a byte-order mark polars drops at the start of a row
        header = header_cells(lines[0])
        if header is None or header[-1] == "" or lines.len() < 2:
            return None
        width = len(header)
        # a recognised line passed these checks under this header already: only the others
        hashes, recognised, unsent = _split_known(lines, known)
        body = lines.slice(1).to_frame()
        if recognised is not None:
            body = body[hashes["_line"] - 2]
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
        names = [f"c{i}" for i in range(width)]
        if recognised is not None:  # only the other rows are parsed
            kept = body.get_column("text")
            data = pl.concat([lines.head(1), kept]).str.join("\n").item().encode() + b"\n"
        del body, quoted_lines
        del lines
        if hashes.height:
            rows = pl.read_csv(io.BytesIO(data), skip_lines=1, new_columns=names, **read)
        else:
            rows = pl.DataFrame(schema=dict.fromkeys(names, pl.String))
    except (pl.exceptions.PolarsError, UnicodeError):
        return None
    if rows.height != hashes.height:
        return None
    rows = rows.select(hashes.get_column("_line"), pl.all())
    # trimmed a few columns at a time: a large file's cells are not all held twice
    step = max(pl.thread_pool_size(), 1)
    for at in range(0, width, step):
        rows = rows.with_columns(_trim(pl.col(c)) for c in names[at : at + step])
    return ParsedCsv(header, 1, rows, findings.empty(), records, hashes, recognised, unsent)


def _trim(cell: pl.Expr) -> pl.Expr:
    """A cell as read: surrounding whitespace off, blank -> null."""
    return cell.str.strip_chars().replace("", None)


def parse(
    text: str | None, file: str, known: KnownLines | None = None, utf8: bytes | None = None
) -> ParsedCsv:
    """Parse CSV text; never raises on malformed content (problems become findings).

    ``known`` (clean files only): rows it recognises by their hash are not parsed; they come back
    as ``known`` (their lines and hashes), and ``hashes`` has those of the rows parsed.
    ``utf8``: the text's UTF-8 bytes, if at hand (the native reader reads them as they are; the
    text, if None, is made from them only where the careful parser is needed).
    """
    if (b"\r" in utf8) if utf8 is not None else ("\r" in (text or "")):
        text = (utf8.decode() if text is None and utf8 is not None else text) or ""
        text, utf8 = text.replace("\r\n", "\n").replace("\r", "\n"), None
    clean = _parse_clean(text, file, known, utf8)
    if clean is not None:
        return clean
    return _parse_careful(text if text is not None else (utf8 or b"").decode(), file)


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
