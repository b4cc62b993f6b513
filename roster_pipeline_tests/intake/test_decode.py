import pytest

from roster_pipeline.intake.decode import decode


def test_utf8_with_bom_is_read_without_the_bom():
    out = decode(b"\xef\xbb\xbfsourcedId\n1\n")
    assert out.text == "sourcedId\n1\n"
    assert out.problems == []


def test_windows_1252_is_decoded_with_a_warning_on_its_line():
    out = decode("sourcedId,familyName\n1,Lee\n2,Jos\u00e9\n".encode("cp1252"))
    assert "Jos\u00e9" in out.text
    assert [(c, ln) for c, _, ln in out.problems] == [("FILE_ENCODING_CP1252", 3)]


def test_mixed_encodings_keep_the_utf8_parts():
    data = "a\nRen\u00e9e\n".encode() + "Jos\u00e9\n".encode("cp1252")
    out = decode(data)
    assert out.text == "a\nRen\u00e9e\nJos\u00e9\n"


def test_utf16_with_bom_is_read_with_a_warning():
    out = decode("sourcedId\n1\n".encode("utf-16"))
    assert out.text == "sourcedId\n1\n"
    assert out.problems[0][0] == "FILE_ENCODING_UTF16"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "FILE_EMPTY"),
        (b"  \n\n", "FILE_EMPTY"),
        (b"PK\x03\x04rest-of-a-zip", "FILE_NOT_CSV"),
        (bytes(range(256)) * 50, "FILE_NOT_CSV"),
    ],
)
def test_unreadable_files_are_refused_with_a_finding(data, code):
    out = decode(data)
    assert out.text is None
    assert out.problems[0][0] == code


def test_stray_nul_bytes_are_removed_and_reported():
    out = decode(b"a,b\n1,\x002\n")
    assert out.text == "a,b\n1,2\n"
    assert out.problems[0][:1] == ("FILE_NUL_BYTES",)
    assert out.problems[0][2] == 2


def test_an_ascii_file_is_read_from_its_bytes_without_making_its_text():
    data = b"sourcedId,givenName\n00417,Ana\n"
    out = decode(data)
    assert out.decoded is None and out.utf8 is data  # no copy of a large district's file
    assert out.first_line() == "sourcedId,givenName"
    assert out.text == "sourcedId,givenName\n00417,Ana\n" and out.readable


def test_a_utf8_file_with_accents_is_decoded_once():
    out = decode("sourcedId,givenName\n1,Ren\u00e9e\n".encode())
    assert out.decoded == "sourcedId,givenName\n1,Ren\u00e9e\n" and out.encoding == "utf-8"
