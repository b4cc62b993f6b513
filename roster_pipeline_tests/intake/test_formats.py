from roster_pipeline.intake.formats import describe


def test_sds_v1_is_named_with_its_files():
    said = describe(["School.csv", "Section.csv", "Student.csv", "Teacher.csv"], {})
    assert "Microsoft School Data Sync v1" in said
    assert "School.csv, Section.csv, Student.csv, Teacher.csv" in said


def test_clever_is_told_from_oneroster_by_its_headers_where_names_are_shared():
    headers = {"enrollments.csv": ["School_id", "Section_id", "Student_id"]}
    assert "Clever" in describe(["schools.csv", "enrollments.csv"], headers)
    assert "Clever" in describe(["sections.csv", "enrollments.csv"], headers)
    # an unusable OneRoster enrollments.csv next to one other file is not called Clever
    oneroster = {"enrollments.csv": ["sourcedId", "classSourcedId"]}
    assert "Clever" not in describe(["enrollments.csv", "readme.csv"], oneroster)


def test_uploads_and_empty_batches_are_explained():
    assert "guardian_upload" in describe(["guardians.csv"], {})
    assert "no CSV file" in describe([], {})
    assert "users.csv or enrollments.csv expected" in describe(["export.csv"], {})
