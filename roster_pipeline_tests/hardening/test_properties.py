"""Property-based tests: whatever text or bytes arrive, intake and validation answer with findings.

Properties: nothing raises; every parsed row keeps a physical line number inside the file; each
data record is either a row or a reported line; validation keeps every row (and its line).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roster_pipeline.intake.csv_records import parse
from roster_pipeline.intake.read_file import read_roster_file
from roster_pipeline.schemas.validate_file import validate_file
from roster_pipeline.specs import SPECS

CELL = st.one_of(
    st.text(alphabet=st.sampled_from(list("ab0417 ,\"\n\r\t\x00é=+@-;'\u2028")), max_size=12),
    st.sampled_from(["4.17E+02", "NULL", "=SUM(A1)", "'); DROP TABLE users;--", "00417"]),
)
ROWS = st.lists(st.lists(CELL, min_size=1, max_size=6), min_size=0, max_size=25)
HEADERS = st.sampled_from(
    [
        "sourcedId,orgSourcedIds,role,givenName,familyName,email,sms",
        "sourcedId,givenName,familyName",
        "Source Id,First Name,Last Name,Mobile",
        "givenName,givenName,familyName,sourcedId",
    ]
)
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _text(header: str, rows: list[list[str]], newline: str) -> str:
    return header + newline + newline.join(",".join(r) for r in rows) + newline


@SETTINGS
@given(header=HEADERS, rows=ROWS, newline=st.sampled_from(["\n", "\r\n"]))
def test_parse_never_raises_and_keeps_line_numbers(header, rows, newline):
    text = _text(header, rows, newline)
    parsed = parse(text, "users.csv")
    physical_lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1  # CR alone too
    lines = parsed.rows["_line"].to_list()
    assert all(2 <= n <= physical_lines for n in lines)
    assert lines == sorted(set(lines))
    reported = set(parsed.findings["line"].drop_nulls().to_list())
    assert parsed.rows.height <= parsed.records
    assert parsed.records - parsed.rows.height <= len(reported - set(lines))


@SETTINGS
@given(data=st.binary(max_size=3000))
def test_any_bytes_are_read_or_refused_with_a_finding(tmp_path_factory, data):
    path = Path(tmp_path_factory.mktemp("bytes")) / "users.csv"
    path.write_bytes(data)
    raw = read_roster_file(path, SPECS["users"])
    validated = validate_file(raw)
    assert raw.usable or raw.findings.height > 0
    assert validated.frame.height == raw.frame.height
    assert validated.frame["_line"].to_list() == raw.frame["_line"].to_list()


@SETTINGS
@given(header=HEADERS, rows=ROWS)
def test_validation_keeps_every_row_and_explains_every_rejection(tmp_path_factory, header, rows):
    path = Path(tmp_path_factory.mktemp("text")) / "users.csv"
    path.write_text(_text(header, rows, "\n"))
    raw = read_roster_file(path, SPECS["users"])
    validated = validate_file(raw)
    frame = validated.frame
    assert frame.height == raw.frame.height
    rejected = set(frame.filter(~pl.col("_ok"))["_line"].to_list())
    errors = validated.findings.filter(pl.col("severity") == "error")
    explained = set(errors["line"].drop_nulls().to_list())
    assert rejected <= explained or errors["line"].is_null().any()
