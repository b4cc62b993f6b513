from pathlib import Path

from roster_pipeline.intake.read_file import read_roster_file
from roster_pipeline.specs import SPECS
from roster_pipeline_tests.conftest import USERS


def read(tmp_path: Path, kind: str, text: str | bytes, name: str | None = None, **kw):
    path = tmp_path / (name or f"{kind}.csv")
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return read_roster_file(path, SPECS[kind], **kw)


def test_ids_keep_leading_zeros_and_null_like_names_stay_names(tmp_path):
    raw = read(tmp_path, "users", USERS)
    assert raw.frame["sourcedId"].to_list()[:2] == ["0001", "0002"]
    assert raw.frame["familyName"].to_list()[:2] == ["Null", "NA"]
    assert raw.frame["_line"].to_list() == [2, 3, 4, 5, 6]
    assert raw.usable and raw.rows_read == 5


def test_headers_match_case_space_and_aliases(tmp_path):
    raw = read(tmp_path, "users", "Source Id,Given Name,FAMILY NAME,Mobile\n1,A,B,4158675309\n")
    row = raw.frame.row(0, named=True)
    assert (row["sourcedId"], row["givenName"], row["familyName"], row["sms"]) == (
        "1",
        "A",
        "B",
        "4158675309",
    )


def test_extension_columns_are_kept(tmp_path):
    raw = read(tmp_path, "users", "sourcedId,givenName,familyName,metadata.nickname\n1,A,B,Al\n")
    assert raw.extension_columns == ("metadata.nickname",)
    assert raw.frame["metadata.nickname"].to_list() == ["Al"]


def test_missing_required_column_makes_the_file_unusable(tmp_path):
    raw = read(tmp_path, "users", "sourcedId,givenName\n1,A\n")
    assert not raw.usable
    codes = raw.findings.select("code", "column_name", "line").rows()
    assert ("FILE_COLUMN_MISSING", "familyName", 1) in codes


def test_duplicate_header_is_reported_and_first_is_used(tmp_path):
    raw = read(tmp_path, "orgs", "sourcedId,name,type,name\n1,First,school,Second\n")
    assert raw.frame["name"].to_list() == ["First"]
    assert raw.findings["code"].to_list() == ["FILE_HEADER_DUPLICATE"]


def test_school_scope_fills_an_absent_school_column(tmp_path):
    raw = read(tmp_path, "classes", "sourcedId,title\nc1,Art\n", scope_school="00417")
    assert raw.frame["schoolSourcedId"].to_list() == ["00417"]


def test_header_only_file_is_a_warning_not_an_error(tmp_path):
    raw = read(tmp_path, "orgs", "sourcedId,name,type\n")
    assert raw.usable and raw.rows_read == 0
    assert raw.findings["code"].to_list() == ["FILE_NO_ROWS"]


def test_cp1252_file_reads_accents(tmp_path):
    raw = read(
        tmp_path,
        "orgs",
        "sourcedId,name,type\n1,Escuela Jos\u00e9 Mart\u00ed,school\n".encode("cp1252"),
    )
    assert raw.frame["name"].to_list() == ["Escuela Jos\u00e9 Mart\u00ed"]
    assert raw.findings["code"].to_list() == ["FILE_ENCODING_CP1252"]
