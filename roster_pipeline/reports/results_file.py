"""Per-row results as a workbook (.xlsx, inline text cells only) and a formula-safe CSV.

One writer for every upload kind (guardians, relationships): the uploaded columns, then
result, action, the id the row landed on, and the message.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import polars as pl

# OWASP CSV injection: cells a spreadsheet would evaluate start with one of these.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(column: pl.Expr) -> pl.Expr:
    """Prefix a single quote to a value a spreadsheet would read as a formula."""
    risky = pl.any_horizontal(column.str.starts_with(c) for c in FORMULA_START)
    return pl.when(risky).then(pl.lit("'") + column).otherwise(column)


def results_frame(uploaded: pl.DataFrame, results: pl.DataFrame, id_column: str) -> pl.DataFrame:
    """The uploaded rows (``_line`` + their columns), then result, action, id and message.

    ``results`` has ``line``, ``result``, ``action``, ``message`` and ``id_column`` (the id
    the row landed on). Rows intake could not read appear with their line and result only.
    """
    columns = [c for c in uploaded.columns if not c.startswith("_")]
    outcome = results.select(
        pl.col("line").alias("_line"), "result", "action", id_column, "message"
    )
    return (
        uploaded.select("_line", *columns)
        .join(outcome, on="_line", how="full", coalesce=True)
        .sort("_line")
        .rename({"_line": "line"})
        .select(pl.all().cast(pl.String))
    )


def write_csv(frame: pl.DataFrame, path: Path) -> None:
    """CSV with every risky cell neutralized."""
    frame.select(neutralize(pl.col(c)).alias(c) for c in frame.columns).write_csv(path)


_PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_BOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_SHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
EXCEL_MAX_ROWS = 1_048_576


def _package(titles: list[str]) -> dict[str, str]:
    """The workbook's fixed parts for sheets named ``titles`` (already XML-safe)."""
    numbers = range(1, len(titles) + 1)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{_SHEET_TYPE}"/>'
        for n in numbers
    )
    rels = "".join(
        f'<Relationship Id="rId{n}" Type="{_SHEET_REL}" Target="worksheets/sheet{n}.xml"/>'
        for n in numbers
    )
    sheets = "".join(
        f'<sheet name="{t}" sheetId="{n}" r:id="rId{n}"/>'
        for n, t in zip(numbers, titles, strict=True)
    )
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    return {
        "[Content_Types].xml": (
            f'{head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_BOOK_TYPE}"/>'
            f"{overrides}</Types>"
        ),
        "_rels/.rels": _PACKAGE_RELS,
        "xl/_rels/workbook.xml.rels": (
            f'{head}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships">{rels}</Relationships>'
        ),
        "xl/workbook.xml": (
            f'{head}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"<sheets>{sheets}</sheets></workbook>"
        ),
    }


_CELL_OPEN = '<c t="inlineStr"><is><t xml:space="preserve">'
_CELL_CLOSE = "</t></is></c>"
_CHUNK = 100_000


def _xml_text(column: pl.Expr) -> pl.Expr:
    """Escape for XML text; drop the control characters XML 1.0 cannot hold."""
    return (
        column.str.replace_all(r"[\x00-\x08\x0B\x0C\x0E-\x1F]", "")
        .str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
    )


def _rows_xml(frame: pl.DataFrame) -> str:
    """The ``<row>`` elements of a chunk: every cell an inline string, blanks left empty."""
    cells = [
        pl.when(pl.col(c).is_null())
        .then(pl.lit("<c/>"))
        .otherwise(pl.lit(_CELL_OPEN) + _xml_text(pl.col(c)) + pl.lit(_CELL_CLOSE))
        for c in frame.columns
    ]
    rows = frame.select(pl.concat_str([pl.lit("<row>"), *cells, pl.lit("</row>")]).alias("x"))
    return "".join(rows["x"].to_list())


def _sheet_title(title: str) -> str:
    """An Excel sheet name: at most 31 characters, no brackets, colons, wildcards or slashes."""
    cleaned = "".join(c for c in title if c not in '[]:*?/\\<>&"')
    return cleaned[:31] or "sheet"


def write_sheets(sheets: list[tuple[str, pl.DataFrame, str | None]], path: Path) -> None:
    """A workbook of ``(title, frame, note)`` sheets whose cells are all inline text.

    Nothing in it is ever evaluated. Written as SpreadsheetML with vectorized string building,
    in chunks, so a million-row sheet takes seconds (a cell-by-cell writer takes minutes).
    """
    titles = [_sheet_title(t) for t, _, _ in sheets]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for name, xml in _package(titles).items():
            book.writestr(name, xml)
        for number, (_, frame, note) in enumerate(sheets, start=1):
            schema = dict.fromkeys(frame.columns, pl.String)
            first = frame.columns[0]
            lead = [pl.DataFrame([dict(zip(frame.columns, frame.columns, strict=True))], schema)]
            if note:
                lead.insert(0, pl.DataFrame([{first: note}, {first: None}], schema=schema))
            with book.open(f"xl/worksheets/sheet{number}.xml", "w") as sheet:
                sheet.write(
                    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet '
                    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    b"<sheetData>"
                )
                for part in lead:
                    sheet.write(_rows_xml(part).encode())
                for offset in range(0, frame.height, _CHUNK):
                    chunk = frame.slice(offset, _CHUNK).select(pl.all().cast(pl.String))
                    sheet.write(_rows_xml(chunk).encode())
                sheet.write(b"</sheetData></worksheet>")


def write_xlsx(frame: pl.DataFrame, path: Path, *, title: str, note: str | None = None) -> None:
    """A one-sheet workbook of text cells (see ``write_sheets``)."""
    write_sheets([(title, frame, note)], path)


def write_results(
    uploaded: pl.DataFrame,
    results: pl.DataFrame,
    folder: Path,
    stem: str,
    *,
    id_column: str,
    note: str | None,
) -> tuple[Path, Path]:
    """Write ``<stem>.xlsx`` and ``<stem>.csv`` into ``folder``; return both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    frame = results_frame(uploaded, results, id_column)
    xlsx, csv = folder / f"{stem}.xlsx", folder / f"{stem}.csv"
    write_xlsx(frame, xlsx, title="results", note=note)
    write_csv(frame, csv)
    return xlsx, csv
