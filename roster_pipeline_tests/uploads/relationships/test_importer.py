"""Each rule of the relationships import, on small real files against a loaded roster."""

from pathlib import Path

import duckdb
import pytest

from roster_pipeline.uploads.relationships.importer import run_import
from roster_pipeline.warehouse import Warehouse
from roster_pipeline_tests.conftest import load_batch, write_batch

ORGS = "sourcedId,name,type\n00417,North,school\n"
USERS = (
    "sourcedId,orgSourcedIds,role,givenName,familyName,email,agentSourcedIds\n"
    "0001,00417,student,Ana,B,ana@school.org,g1\n"
    "0002,00417,student,Ben,B,ben@school.org,\n"
    "g1,00417,parent,Carla,B,carla@example.org,\n"
    "g2,00417,guardian,Dan,B,dan@example.org,\n"
    "t1,00417,teacher,Tea,C,tea@school.org,\n"
)
HEADER = "Parent Email,Student Email,Student ID,Relationship Type\n"


@pytest.fixture
def district(tmp_path: Path) -> Warehouse:
    db = tmp_path / "roster.duckdb"
    load_batch(write_batch(tmp_path / "roster", {"orgs.csv": ORGS, "users.csv": USERS}), db)
    return Warehouse(db)


def run(tmp_path: Path, store: Warehouse, rows: str, mode: str = "apply"):
    path = tmp_path / "relationships.csv"
    path.write_text(HEADER + rows)
    return run_import(path, store, mode=mode, results_dir=tmp_path / "results")


def outcomes(out) -> list[tuple]:
    return out.results.select("line", "result", "action").rows()


def links(store: Warehouse) -> list[tuple]:
    with duckdb.connect(str(store.path), read_only=True) as con:
        return con.execute(
            "SELECT student_sourced_id, guardian_sourced_id, relationship, source "
            "FROM student_guardians ORDER BY 1, 2"
        ).fetchall()


def test_student_by_id_and_by_email(tmp_path, district):
    out = run(
        tmp_path,
        district,
        "dan@example.org,,0002,Guardian\nCARLA@example.org,ben@school.org,,parent\n",
    )
    assert outcomes(out) == [(2, "SUCCESS", "CREATED"), (3, "SUCCESS", "CREATED")]
    assert ("0002", "g1", "parent", "relationships_import") in links(district)
    assert ("0002", "g2", "guardian", "relationships_import") in links(district)


def test_both_identifiers_given_must_agree(tmp_path, district):
    out = run(tmp_path, district, "dan@example.org,ana@school.org,0002,Parent\n")
    assert outcomes(out) == [(2, "FAILED", "SKIPPED")]
    message = out.results["message"][0]
    assert "'0002'" in message and "a***@school.org" in message and "'0001'" in message
    assert "ana@school.org" not in message


def test_unknown_parent_and_unknown_student(tmp_path, district):
    rows = (
        "nobody@example.org,,0001,Parent\ndan@example.org,,9999,Parent\ndan@example.org,,1,Parent\n"
    )
    out = run(tmp_path, district, rows)
    messages = out.results["message"].to_list()
    assert "No parent or guardian has email 'n***@example.org'" in messages[0]
    assert "No student has id '9999'" in messages[1]
    assert "'0001' does: a spreadsheet probably stripped the leading zeros" in messages[2]


def test_bad_type_lists_the_allowed_values(tmp_path, district):
    out = run(tmp_path, district, "dan@example.org,,0001,Uncle\n")
    assert outcomes(out) == [(2, "FAILED", "SKIPPED")]
    assert "Parent, Aide, Guardian, Relative, Other" in out.results["message"][0]


def test_a_row_needs_a_student_identifier(tmp_path, district):
    out = run(tmp_path, district, "dan@example.org,,,Parent\n")
    assert "Give the Student Email or the Student ID" in out.results["message"][0]


def test_duplicate_rows_and_type_change(tmp_path, district):
    rows = (
        "carla@example.org,,0001,Relative\n"
        "dan@example.org,,0001,Other\n"
        "dan@example.org,,0001,Other\n"
    )
    out = run(tmp_path, district, rows)
    assert outcomes(out) == [
        (2, "SUCCESS", "UPDATED"),
        (3, "SUCCESS", "CREATED"),
        (4, "FAILED", "SKIPPED"),
    ]
    assert "changes from parent to relative" in out.results["message"][0]
    assert "Duplicate of line 3" in out.results["message"][2]
    assert ("0001", "g1", "relative", "roster") in links(district)
    assert ("0001", "g2", "other", "relationships_import") in links(district)


def test_seventh_guardian_fails(tmp_path, district):
    more = "".join(f"p{i},00417,parent,P{i},X,p{i}@example.org,\n" for i in range(1, 7))
    db = tmp_path / "big.duckdb"
    load_batch(write_batch(tmp_path / "big", {"orgs.csv": ORGS, "users.csv": USERS + more}), db)
    rows = "".join(f"p{i}@example.org,,0001,Parent\n" for i in range(1, 7))
    out = run(tmp_path, Warehouse(db), rows)  # 0001 already has g1
    assert out.results["result"].to_list() == ["SUCCESS"] * 5 + ["FAILED"]
    assert "already has 6 guardians" in out.results["message"][-1]


def test_preview_writes_nothing_live_and_import_equals_it(tmp_path, district):
    rows = "dan@example.org,,0001,Guardian\ncarla@example.org,,0001,Relative\n"
    before = links(district)
    preview = run(tmp_path, district, rows, mode="preview")
    assert links(district) == before
    assert preview.file_check == {"rows_read": 2, "rows_well_formed": 2, "rows_malformed": 0}
    applied = run(tmp_path, district, rows, mode="apply")
    assert applied.results.equals(preview.results)
    assert applied.preview_check == "The results equal the preview's."
    with duckdb.connect(str(district.path), read_only=True) as con:
        modes = con.execute(
            "SELECT mode, count(*) FROM relationship_import_results GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert modes == [("apply", 2), ("preview", 2)]


def test_xlsx_template_is_read_with_sheet_row_numbers(tmp_path, district):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Parent Email", "Student Email", "Student ID", "Relationship Type"])
    sheet.append(["dan@example.org", None, "0002", "Guardian"])
    sheet.append([None, None, None, None])
    sheet.append(["carla@example.org", None, 2, "Parent"])  # a number: zeros lost in Excel
    path = tmp_path / "relationships.xlsx"
    book.save(path)
    out = run_import(path, district, mode="preview", results_dir=tmp_path / "results")
    assert outcomes(out) == [(2, "SUCCESS", "CREATED"), (4, "FAILED", "SKIPPED")]
    assert "stripped the leading zeros" in out.results["message"][1]


def test_template_has_the_headers_and_reads_back(tmp_path, district):
    from roster_pipeline.intake.spreadsheet import xlsx_to_csv_text
    from roster_pipeline.uploads.relationships.template import write_template

    path = write_template(tmp_path / "template.xlsx")
    text = xlsx_to_csv_text(path)
    assert text.splitlines()[0] == "Parent Email,Student Email,Student ID,Relationship Type"
    out = run_import(path, district, mode="preview", results_dir=tmp_path / "results")
    assert out.results.is_empty() and out.file_check["rows_read"] == 0
