"""Property-based tests: whatever text or bytes arrive, intake and validation answer with findings.

Properties: nothing raises; every parsed row keeps a physical line number inside the file; each
data record is either a row or a reported line; validation keeps every row (and its line).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roster_pipeline.intake.csv_records import _parse_careful, _parse_clean, parse
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


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


CLEAN_CELL = st.one_of(
    st.text(alphabet=st.sampled_from(list("ab0417 \té=+@-;'\ufeff")), max_size=8),
    st.text(alphabet=st.sampled_from(list('ab ,"\té')), max_size=8).map(_quoted),
    st.sampled_from(['""', '" padded "', "x", '"a""b"', 'a"b', '"open', '"x"y', "   "]),
)


@SETTINGS
@given(
    header=HEADERS,
    rows=st.lists(st.lists(CLEAN_CELL, min_size=1, max_size=8), min_size=1, max_size=25),
    pad=st.booleans(),
)
def test_the_native_reader_gives_exactly_what_the_careful_parser_gives(header, rows, pad):
    width = header.count(",") + 1
    if pad:  # most real files: every row has the header's width
        rows = [(r + [""] * width)[:width] for r in rows]
    text = _text(header, rows, "\n")
    clean = _parse_clean(text, "users.csv")
    careful = _parse_careful(text, "users.csv")
    if clean is None:
        return
    assert careful.findings.is_empty()
    assert (clean.header, clean.header_line, clean.records) == (
        careful.header,
        careful.header_line,
        careful.records,
    )
    assert clean.rows.equals(careful.rows)


def test_the_native_reader_takes_clean_files_and_leaves_the_rest():
    clean = 'sourcedId,givenName,familyName\n00417,"Ana, Maria"," O""Neil "\n2,b,\n'
    parsed = _parse_clean(clean, "users.csv")
    assert parsed is not None and parsed.rows.equals(_parse_careful(clean, "users.csv").rows)
    assert parsed.rows.row(0) == (2, "00417", "Ana, Maria", 'O"Neil')
    trailing = "sourcedId,givenName\n1,a\n\n\n"  # blank lines at the end: still clean
    native = _parse_clean(trailing, "users.csv")
    assert native is not None and native.rows.equals(_parse_careful(trailing, "users.csv").rows)
    for dirty in (
        "sourcedId,givenName\n1,a,extra\n",  # too many cells
        "sourcedId,givenName\n1\n",  # ragged
        "sourcedId,givenName\n\n1,a\n",  # blank line
        "sourcedId,givenName\n\ufeff1,a\n",  # a byte-order mark opening a row
        'sourcedId,givenName\n1,"a\nb"\n',  # a record over two lines
        'sourcedId,givenName\n1,a"b\n',  # a stray quote
        "sourcedId,givenName,\n1,a,\n",  # an empty header cell
    ):
        assert _parse_clean(dirty, "users.csv") is None, dirty
