from pathlib import Path

import polars as pl

from roster_pipeline.intake.read_file import read_roster_file
from roster_pipeline.schemas.validate_file import validate_file
from roster_pipeline.specs import SPECS


def validated(tmp_path: Path, kind: str, text: str, **kw):
    path = tmp_path / f"{kind}.csv"
    path.write_text(text)
    scope = kw.get("scope_school")
    return validate_file(read_roster_file(path, SPECS[kind], scope), **kw)


def codes(vf):
    return sorted(vf.findings.select("line", "code").rows())


def test_duplicate_ids_reject_every_copy_and_name_the_lines(tmp_path):
    vf = validated(tmp_path, "orgs", "sourcedId,name,type\n1,A,school\n2,B,school\n1,C,school\n")
    assert codes(vf) == [(2, "ORG_ID_DUPLICATE"), (4, "ORG_ID_DUPLICATE")]
    assert vf.frame.filter(pl.col("_ok"))["sourced_id"].to_list() == ["2"]
    assert "lines 2, 4" in vf.findings["message"][0]


def test_required_values_and_id_syntax(tmp_path):
    vf = validated(
        tmp_path,
        "users",
        "sourcedId,givenName,familyName\n,A,B\n4.17E+02,A,B\nbad id!,A,B\n0042,,B\n0043,A,B\n",
    )
    assert codes(vf) == [
        (2, "USR_REQUIRED_MISSING"),
        (3, "USR_ID_SCIENTIFIC_NOTATION"),
        (4, "USR_ID_INVALID"),
        (5, "USR_REQUIRED_MISSING"),
    ]
    assert vf.frame.filter(pl.col("_ok"))["sourced_id"].to_list() == ["0043"]


def test_warnings_keep_the_row_and_errors_drop_it(tmp_path):
    vf = validated(
        tmp_path,
        "users",
        "sourcedId,givenName,familyName,role,grades,email,language\n"
        "1,A,B,Student,K,not-an-email,Spanish\n"
        "2,A,B,wizard,01,,\n",
    )
    assert codes(vf) == [
        (2, "USR_EMAIL_INVALID"),
        (2, "USR_GRADE_MAPPED"),
        (2, "USR_LANGUAGE_MAPPED"),
        (2, "USR_ROLE_MAPPED"),
        (3, "USR_ROLE_INVALID"),
    ]
    row = vf.frame.row(0, named=True)
    assert row["_ok"] and row["role"] == "student" and row["grades"] == ["KG"]
    assert row["email"] is None and row["language"] == "es"
    assert vf.frame.row(1, named=True)["language"] == "en"  # blank means English
    assert not vf.frame.row(1, named=True)["_ok"]


def test_messages_never_show_a_raw_email_or_phone(tmp_path):
    vf = validated(
        tmp_path,
        "users",
        "sourcedId,givenName,familyName,email,sms\n1,A,B,jane.doe@@example.org,555-0100\n",
    )
    text = " ".join(vf.findings["message"].to_list())
    assert "jane.doe" not in text and "555-0100" not in text
    assert "j***@example.org" in text and "***-***-0100" in text


def test_school_scope_rejects_rows_of_another_school(tmp_path):
    vf = validated(
        tmp_path,
        "classes",
        "sourcedId,title,schoolSourcedId\nc1,Art,00417\nc2,Music,00999\n",
        scope_school="00417",
    )
    assert codes(vf) == [(3, "CLS_OUT_OF_SCOPE")]


def test_lists_are_split_and_trimmed(tmp_path):
    vf = validated(
        tmp_path,
        "users",
        'sourcedId,givenName,familyName,orgSourcedIds,agentSourcedIds\n1,A,B,"s1, s2","g1,,g2"\n',
    )
    row = vf.frame.row(0, named=True)
    assert row["org_sourced_ids"] == ["s1", "s2"] and row["agent_sourced_ids"] == ["g1", "g2"]


def test_password_is_never_kept(tmp_path):
    vf = validated(tmp_path, "users", "sourcedId,givenName,familyName,password\n1,A,B,hunter2\n")
    assert "password" not in vf.frame.columns
