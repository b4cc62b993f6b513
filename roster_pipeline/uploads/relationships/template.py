"""The relationships spreadsheet template districts fill in.

python -m roster_pipeline.uploads.relationships.template data/relationships_template.xlsx
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from roster_pipeline.reports.results_file import write_xlsx

TEMPLATE_HEADERS = ("Parent Email", "Student Email", "Student ID", "Relationship Type")


def write_template(path: Path) -> Path:
    """An empty sheet with the template's headers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    empty = pl.DataFrame(schema=dict.fromkeys(TEMPLATE_HEADERS, pl.String))
    write_xlsx(empty, path, title="relationships")
    return path


if __name__ == "__main__":
    write_template(Path(sys.argv[1] if len(sys.argv) > 1 else "data/relationships_template.xlsx"))
