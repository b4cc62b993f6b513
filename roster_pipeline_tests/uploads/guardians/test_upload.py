"""Each rule of the guardians upload, on small real files against a real loaded roster."""

from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

from roster_pipeline.uploads.guardians.upload import UploadRefusedError, run_upload
from roster_pipeline.warehouse import Warehouse
from roster_pipeline_tests.conftest import load_batch, write_batch

ORGS = "sourcedId,name,type\n00417,North,school\n00500,South,school\n"
USERS = (
    "sourcedId,orgSourcedIds,role,givenName,familyName,email,sms,agentSourcedIds\n"
    "0001,00417,student,Ana,B,,,g1\n"
    "0002,00417,student,Ben,B,,,\n"
    "0003,00500,student,Cy,C,,,\n"
    "g1,00417,parent,Carla,B,carla@example.org,(415) 867-5309,\n"
    "t1,00417,teacher,Tea,Cher,tea@example.org,,\n"
)
HEADER = "Student ID,Guardian ID,First Name,Last Name,Email,Mobile,Home Phone,Language\n"


@pytest.fixture
def district(tmp_path: Path) -> Warehouse:
    db = tmp_path / "roster.duckdb"
    load_batch(write_batch(tmp_path / "roster", {"orgs.csv": ORGS, "users.csv": USERS}), db)
    return Warehouse(db)


def upload(tmp_path: Path, store: Warehouse, rows: str, mode: str = "apply", **kw):
    path = tmp_path / "guardians.csv"
    path.write_text(HEADER + rows)
    return run_upload(path, store, mode=mode, results_dir=tmp_path / "results", **kw)


def outcome_rows(outcome) -> list[tuple]:
    return outcome.results.select("line", "result", "action").rows()


def live(store: Warehouse, sql: str) -> list[tuple]:
    with duckdb.connect(str(store.path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_created_then_unchanged_then_updated(tmp_path, district):
    first = upload(tmp_path, district, "0002,,Dee,B,dee@example.org,,,\n")
    assert outcome_rows(first) == [(2, "SUCCESS", "CREATED")]
    again = upload(tmp_path, district, "0002,,Dee,B,dee@example.org,,,\n")
    assert outcome_rows(again) == [(2, "SUCCESS", "UNCHANGED")]
    changed = upload(tmp_path, district, "0002,,Dee,B,dee@example.org,(212) 736-5000,,fr\n")
    assert outcome_rows(changed) == [(2, "SUCCESS", "UPDATED")]
    assert "sms, language" in changed.results["message"][0]
    gid = first.results["guardian_sourced_id"][0]
    assert live(district, f"SELECT sms, language FROM users WHERE sourced_id = '{gid}'") == [
        ("+12127365000", "fr")
    ]


def test_existing_guardian_matched_by_email_is_updated_not_duplicated(tmp_path, district):
    out = upload(tmp_path, district, "0002,,Carla,B,carla@example.org,,,es\n")
    assert out.results["guardian_sourced_id"].to_list() == ["g1"]
    assert outcome_rows(out) == [(2, "SUCCESS", "UPDATED")]
    assert live(district, "SELECT count(*) FROM users WHERE email = 'carla@example.org'") == [(1,)]


def test_guardian_needs_email_or_mobile_home_phone_does_not_count(tmp_path, district):
    out = upload(tmp_path, district, "0002,,Tom,Ng,not-an-email,,(212) 736-5000,\n")
    assert outcome_rows(out) == [(2, "FAILED", "SKIPPED")]
    assert "email or mobile" in out.results["message"][0]


def test_unknown_student_and_stripped_zeros(tmp_path, district):
    out = upload(tmp_path, district, "9999,,A,B,a@example.org,,,\n2,,A,B,a2@example.org,,,\n")
    messages = out.results["message"].to_list()
    assert "No student has id '9999'" in messages[0]
    assert "'0002' does: a spreadsheet probably stripped the leading zeros" in messages[1]


def test_siblings_share_one_guardian(tmp_path, district):
    rows = "0001,,Pat,B,pat@example.org,,,\n0002,,Pat,B,pat@example.org,,,\n"
    out = upload(tmp_path, district, rows)
    assert outcome_rows(out) == [(2, "SUCCESS", "CREATED"), (3, "SUCCESS", "UNCHANGED")]
    assert out.results["guardian_sourced_id"].n_unique() == 1
    gid = out.results["guardian_sourced_id"][0]
    links = live(
        district,
        "SELECT student_sourced_id FROM student_guardians "
        f"WHERE guardian_sourced_id = '{gid}' ORDER BY 1",
    )
    assert links == [("0001",), ("0002",)]


def test_seventh_guardian_fails_with_the_count(tmp_path, district):
    rows = "".join(f"0001,n{i},P{i},X,p{i}@example.org,,,\n" for i in range(1, 7))
    out = upload(tmp_path, district, rows)  # 0001 already has g1 from the roster
    assert out.results["result"].to_list() == ["SUCCESS"] * 5 + ["FAILED"]
    assert "already has 6 guardians" in out.results["message"][-1]


def test_conflicting_ids_are_reported_not_resolved(tmp_path, district):
    rows = (
        "0001,x1,A,B,a@example.org,,,\n0002,x1,A,B,other@example.org,,,\n"
        "0002,y1,C,D,shared@example.org,,,\n0003,y2,E,F,shared@example.org,,,\n"
        "0003,z1,G,H,carla@example.org,,,\n"
    )
    out = upload(tmp_path, district, rows)
    assert out.results["result"].to_list() == ["FAILED"] * 5
    messages = out.results["message"].to_list()
    assert "different emails" in messages[0] and "lines 2, 3" in messages[0]
    assert "claimed by different guardian ids (y1, y2)" in messages[2]
    assert "already belongs to user 'g1'" in messages[4]


def test_school_scope_fails_students_of_other_schools(tmp_path, district):
    rows = "0001,,A,B,a@example.org,,,\n0003,,C,D,c@example.org,,,\n"
    out = upload(tmp_path, district, rows, scope_school="00417")
    assert out.results["result"].to_list() == ["SUCCESS", "FAILED"]
    assert "not in school 00417" in out.results["message"][1]


def test_abandon_applies_nothing_when_a_row_fails(tmp_path, district):
    rows = "0001,,A,B,a@example.org,,,\n9999,,C,D,c@example.org,,,\n"
    before = live(district, "SELECT count(*) FROM users")
    out = upload(tmp_path, district, rows, abandon=True)
    assert out.abandoned and outcome_rows(out) == [
        (2, "FAILED", "SKIPPED"),
        (3, "FAILED", "SKIPPED"),
    ]
    assert "abandoned because 1 of 2 rows failed" in out.results["message"][0]
    assert live(district, "SELECT count(*) FROM users") == before
    sheet = openpyxl.load_workbook(out.xlsx).active
    assert "abandoned" in sheet["A1"].value


def test_preview_writes_nothing_live_and_apply_equals_it(tmp_path, district):
    rows = "0002,,Pat,B,pat@example.org,,,\n0003,,Q,R,,,,\n"
    before = live(district, "SELECT * FROM users ORDER BY sourced_id")
    links_before = live(district, "SELECT count(*) FROM student_guardians")
    preview = upload(tmp_path, district, rows, mode="preview")
    assert live(district, "SELECT * FROM users ORDER BY sourced_id") == before
    assert live(district, "SELECT count(*) FROM student_guardians") == links_before
    applied = upload(tmp_path, district, rows, mode="apply")
    assert applied.results.equals(preview.results)
    assert applied.preview_check == "The results equal the preview's."
    stored = live(
        district, "SELECT mode, count(*) FROM guardian_upload_results GROUP BY 1 ORDER BY 1"
    )
    assert stored == [("apply", 2), ("preview", 2)]


def test_apply_says_when_the_roster_changed_since_the_preview(tmp_path, district):
    rows = "0002,,Pat,B,pat@example.org,,,\n"
    upload(tmp_path, district, rows, mode="preview")
    upload(tmp_path, district, "0002,,Pat,B,pat@example.org,,,\n", mode="apply")
    again = upload(tmp_path, district, rows, mode="apply")
    assert "differ from the preview" in again.preview_check


def test_formula_looking_names_are_inert_in_xlsx_and_csv(tmp_path, district):
    rows = '0002,,"=HYPERLINK(""http://x.example"",""x"")",@SUM(A1),f@example.org,,,\n'
    out = upload(tmp_path, district, rows, mode="preview")
    sheet = openpyxl.load_workbook(out.xlsx).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type == "s" for c in cells)  # text, never a formula
    assert any(str(c.value).startswith("=HYPERLINK") for c in cells)
    csv_text = out.csv.read_text()
    assert "'=HYPERLINK" in csv_text and "'@SUM(A1)" in csv_text
    header = pl.read_csv(out.csv, infer_schema=False).columns
    assert header[-4:] == ["result", "action", "guardian_sourced_id", "message"]


def test_refused_when_the_sync_manages_guardians(tmp_path, district):
    with pytest.raises(UploadRefusedError, match="managed by the roster sync"):
        upload(tmp_path, district, "0002,,A,B,a@example.org,,,\n", sync_manages_guardians=True)


def test_human_header_spellings_are_accepted(tmp_path, district):
    path = tmp_path / "g.csv"
    path.write_text(
        "STUDENT CODE,Parent ID,first name,LAST NAME,E-mail Address,Cell,Phone\n"
        "0002,p9,A,B,a@example.org,,\n"
    )
    out = run_upload(path, district, mode="preview", results_dir=tmp_path)
    assert outcome_rows(out) == [(2, "SUCCESS", "CREATED")]


def test_apply_says_when_the_file_changed_since_the_preview(tmp_path, district):
    upload(tmp_path, district, "0002,,Pat,B,pat@example.org,,,\n", mode="preview")
    changed = upload(tmp_path, district, "0002,,Pat,B,pat2@example.org,,,\n", mode="apply")
    assert changed.preview_check.startswith("The file changed since its preview")


def test_a_bad_optional_value_is_applied_blank_and_the_row_says_so(tmp_path, district):
    path = tmp_path / "guardians.csv"
    path.write_text(
        "Student ID,First Name,Last Name,Email,Home Phone,Relationship\n"
        "0002,Dee,B,dee@example.org,950-1234,Uncle Bob\n"
    )
    outcome = run_upload(path, district, mode="apply", results_dir=tmp_path / "results")
    assert outcome_rows(outcome) == [(2, "SUCCESS", "CREATED")]
    message = outcome.results["message"][0]
    assert "Note: " in message and "Uncle Bob" in message and "Home Phone (home)" in message
    assert "950-1234" not in message  # masked
    gid = outcome.results["guardian_sourced_id"][0]
    assert live(district, f"SELECT phone FROM users WHERE sourced_id = '{gid}'") == [(None,)]
    assert live(
        district, "SELECT relationship FROM student_guardians WHERE student_sourced_id = '0002'"
    ) == [("guardian",)]


def test_a_refused_dry_run_says_how_to_allow_it(tmp_path, district):
    with pytest.raises(UploadRefusedError) as refused:
        upload(tmp_path, district, "0002,,A,B,a@example.org,,,\n", sync_manages_guardians=True)
    assert "sync_manages_guardians = false" in str(refused.value)
    assert "ROSTER_SYNC_MANAGES_GUARDIANS=false" in str(refused.value)
