"""An .xlsx upload (the template districts download) -> CSV text for the ordinary intake.

Every cell is read as text: line numbers are the sheet's row numbers. A cell Excel stored as a
number loses its leading zeros before we see it (``00417`` -> ``417``); the references' zero
hint then points it out.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def xlsx_to_csv_text(path: Path) -> str:
    """The first sheet as CSV text, one line per sheet row (blank rows kept for numbering)."""
    import openpyxl  # only for .xlsx uploads: not imported with every pipeline run

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for row in sheet.iter_rows(values_only=True):
            cells = [_cell_text(v).replace("\n", " ") for v in row]
            if any(c.strip() for c in cells):
                writer.writerow(cells)
            else:
                out.write("\n")  # an empty sheet row is a blank line: skipped, still counted
        return out.getvalue()
    finally:
        book.close()
