import polars as pl
import pytest

from roster_pipeline.normalize import values
from roster_pipeline.normalize.emails import normalize_emails
from roster_pipeline.normalize.grades import normalize_grade_list
from roster_pipeline.normalize.languages import normalize_language
from roster_pipeline.normalize.phones import normalize_phones
from roster_pipeline.normalize.roles import ENROLLMENT_ROLES, normalize_role


@pytest.mark.parametrize(
    ("raw", "value", "issue"),
    [
        ("teacher", "teacher", None),
        ("Teacher", "teacher", "ROLE_MAPPED"),
        ("parent/guardian", "guardian", "ROLE_MAPPED"),
        ("Site Administrator", "siteAdministrator", "ROLE_MAPPED"),
        ("ext:coach", "ext:coach", None),
        ("wizard", None, "ROLE_INVALID"),
        ("legal guardian", "guardian", "ROLE_MAPPED"),
        ("Mother", "parent", "ROLE_MAPPED"),
        ("Grandmother", "relative", "ROLE_MAPPED"),
        ("counselor", "counselor", None),
        ("Guidance Counselor", "counselor", "ROLE_MAPPED"),
        ("principal", "principal", None),
        ("Assistant Principal", "principal", "ROLE_MAPPED"),
        ("districtAdministrator", "districtAdministrator", None),
        # staff and faculty are kept apart from teachers: they never get teacher permissions
        ("staff", "ext:staff", "ROLE_MAPPED"),
        ("Faculty", "ext:staff", "ROLE_MAPPED"),
    ],
)
def test_roles(raw, value, issue):
    assert normalize_role(raw)[:2] == (value, issue)


@pytest.mark.parametrize("raw", ["staff", "faculty", "counselor", "principal", "Office Staff"])
def test_no_sis_word_becomes_a_teacher(raw):
    assert normalize_role(raw)[0] != "teacher"
    assert normalize_role(raw, ENROLLMENT_ROLES)[0] != "teacher"


def test_enrollment_roles_reject_user_only_roles():
    assert normalize_role("parent", ENROLLMENT_ROLES)[1] == "ROLE_INVALID"


@pytest.mark.parametrize(
    ("raw", "value", "issue"),
    [
        ("09,10,11", ["09", "10", "11"], None),
        ("K", ["KG"], "GRADE_MAPPED"),
        ("1", ["01"], "GRADE_MAPPED"),
        ("Grade 3", ["03"], "GRADE_MAPPED"),
        ("3rd", ["03"], "GRADE_MAPPED"),
        ("pk, kg", ["PK", "KG"], "GRADE_MAPPED"),
        ("Other", ["Other"], None),
        ("Year 14", None, "GRADE_INVALID"),
        # the SIS numbering below grade 1: -2/-1 pre-K, 0 kindergarten; -1 is never 01
        ("-1", ["PK"], "GRADE_MAPPED"),
        ("-2", ["PK"], "GRADE_MAPPED"),
        ("0", ["KG"], "GRADE_MAPPED"),
        ("00", ["KG"], "GRADE_MAPPED"),
        ("-3", None, "GRADE_INVALID"),
        # an optional field: an unknown grade is left out, the known ones stay
        ("05, PS1", ["05"], "GRADE_INVALID"),
        ("undergraduate", None, "GRADE_INVALID"),
    ],
)
def test_grades(raw, value, issue):
    assert normalize_grade_list(raw)[:2] == (value, issue)


@pytest.mark.parametrize(
    ("raw", "value", "issue"),
    [
        ("es", "es", None),
        ("ES", "es", "LANGUAGE_MAPPED"),
        ("Spanish", "es", "LANGUAGE_MAPPED"),
        ("español", "es", "LANGUAGE_MAPPED"),
        ("pt-BR", "pt", "LANGUAGE_MAPPED"),
        ("Klingon", "tlh", "LANGUAGE_MAPPED"),  # ISO 639-2 has it
        ("Elvish-ish", None, "LANGUAGE_INVALID"),
        ("Kreyòl", "ht", "LANGUAGE_MAPPED"),
        ("Kreyòl ayisyen", "ht", "LANGUAGE_MAPPED"),
        ("Tiếng Việt", "vi", "LANGUAGE_MAPPED"),
        ("中文", "zh", "LANGUAGE_MAPPED"),
        ("Mandarin", "zh", "LANGUAGE_MAPPED"),
        ("Af-Soomaali", "so", "LANGUAGE_MAPPED"),
        ("espanol", "es", "LANGUAGE_MAPPED"),
        ("ENG", "en", "LANGUAGE_MAPPED"),
        ("hmn", "hmn", None),
        ("Hmong", "hmn", "LANGUAGE_MAPPED"),
        ("Unknown", None, "LANGUAGE_INVALID"),
    ],
)
def test_languages(raw, value, issue):
    assert normalize_language(raw)[:2] == (value, issue)


def test_emails_are_trimmed_domain_lowercased_and_checked():
    out = normalize_emails(pl.Series([" Jane.Doe@Example.ORG ", "no-at-sign", "a@b", None]))
    assert out["value"].to_list() == ["Jane.Doe@example.org", None, None, None]
    assert out["issue"].to_list() == [None, "EMAIL_INVALID", "EMAIL_INVALID", None]


def test_phones_to_e164_and_sms_landline_warning():
    raw = pl.Series(["(415) 867-5309", "867-5309", "+44 20 7946 0958", None, "(415) 867-5309"])
    sms = normalize_phones(raw, mobile=True)
    assert sms["value"].to_list() == ["+14158675309", None, "+442079460958", None, "+14158675309"]
    assert sms["issue"].to_list() == [None, "SMS_INVALID", "SMS_NOT_MOBILE", None, None]
    home = normalize_phones(raw, mobile=False)
    assert home["issue"].to_list() == [None, "PHONE_INVALID", None, None, None]


def test_statuses_map_inactive_and_case():
    out = values.statuses(pl.Series(["active", "inactive", "toBeDeleted", None, "gone?"]))
    assert out["value"].to_list() == ["active", "tobedeleted", "tobedeleted", None, "active"]
    assert out["issue"].to_list() == [
        None,
        "STATUS_MAPPED",
        "VALUE_CASE",
        None,
        "STATUS_INVALID",
    ]


def test_enumeration_case_and_invalid():
    out = values.enumeration(
        pl.Series(["scheduled", "Scheduled", "lab", "ext:lab"]), values.CLASS_TYPES
    )
    assert out["value"].to_list() == ["scheduled", "scheduled", None, "ext:lab"]
    assert out["issue"].to_list() == [None, "VALUE_CASE", "VALUE_INVALID", None]


def test_dates_become_dates_and_impossible_ones_are_reported():
    out = values.dates(pl.Series(["2025-08-15", "8/27/2018", "2023-02-30", None]))
    assert [str(d) if d else None for d in out["value"].to_list()] == [
        "2025-08-15",
        None,
        None,
        None,
    ]
    assert out["issue"].to_list() == [None, "DATE_INVALID", "DATE_INVALID", None]


def test_booleans_any_case():
    out = values.booleans(pl.Series(["true", "TRUE", "False", "yes", None]))
    assert out["value"].to_list() == [True, True, False, None, None]
    assert out["issue"].to_list() == [None, "VALUE_CASE", "VALUE_CASE", "VALUE_INVALID", None]
