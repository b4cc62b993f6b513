"""Synthetic OneRoster 1.1 districts of any size, deterministic by seed.

    python -m roster_pipeline.devtools.generate --students 500000 --out bench/district
    python -m roster_pipeline.devtools.generate --students 200 --mistakes --out data/sample_district

Shape per student (like a large US district): ~1.8 guardian links (siblings share guardians),
8 class enrollments, one teacher per 16 students, one class per ~3 students. Student ids are
zero-padded (``0000417``) so leading zeros are exercised at every size.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import polars as pl

AREA_CODES = (212, 305, 312, 415, 503, 602, 617, 702, 713, 801, 904, 919)
FIRST = (
    "Ana",
    "Ben",
    "Chloe",
    "Diego",
    "Emma",
    "Farah",
    "Gus",
    "Hana",
    "Ivan",
    "Jada",
    "Kai",
    "Lena",
)
LAST = (
    "Nguyen",
    "Garcia",
    "Smith",
    "Okafor",
    "Kowalski",
    "Haddad",
    "Lee",
    "Moreno",
    "Patel",
    "Null",
)
LANGS = ("", "", "", "es", "vi", "zh", "ar", "so", "ht", "en")
GRADES = ("KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12")
ENROLLMENTS_PER_STUDENT = 8


@dataclass(frozen=True)
class Shape:
    """Counts derived from the number of students."""

    students: int

    @property
    def schools(self) -> int:
        """About one school per 600 students."""
        return max(2, self.students // 600)

    @property
    def teachers(self) -> int:
        """One teacher per 16 students."""
        return max(self.schools, self.students // 16)

    @property
    def classes(self) -> int:
        """About one class per 3 students, at least 8 per school."""
        return max(self.schools * ENROLLMENTS_PER_STUDENT, self.students // 3)

    @property
    def households(self) -> int:
        """About 1.4 students per household (siblings share guardians)."""
        return (self.students - 1) * 5 // 7 + 1


def _pick(options: tuple, index: pl.Expr) -> pl.Expr:
    """options[index % len(options)] as a string expression."""
    return index.mod(len(options)).replace_strict(
        dict(enumerate(str(o) for o in options)), return_dtype=pl.String
    )


def _phone(seed: pl.Expr) -> pl.Expr:
    """A valid NANP number in E.164-less US formatting, e.g. ``(415) 555-0123``-like."""
    area = _pick(AREA_CODES, seed)
    exchange = (seed.hash(1) % 800 + 200).cast(pl.String)
    line = (seed.hash(2) % 10000).cast(pl.String).str.zfill(4)
    return pl.format("({}) {}-{}", area, exchange, line)


def _ids(prefix: str, n: int, width: int = 7) -> pl.Expr:
    return pl.lit(prefix) + pl.int_range(1, n + 1).cast(pl.String).str.zfill(width)


def generate(students: int, seed: int = 7) -> dict[str, pl.DataFrame]:
    """The files of one district as frames (all strings), in OneRoster 1.1 bulk shape."""
    shape = Shape(students)
    s = seed
    orgs = pl.concat(
        [
            pl.DataFrame(
                {
                    "sourcedId": ["district"],
                    "name": ["Sample Unified"],
                    "type": ["district"],
                    "parentSourcedId": [None],
                },
                schema_overrides={"parentSourcedId": pl.String},
            ),
            pl.select(
                sourcedId=_ids("sch", shape.schools, 3),
                name=pl.format("School {}", pl.int_range(1, shape.schools + 1)),
                type=pl.lit("school"),
                parentSourcedId=pl.lit("district"),
            ),
        ]
    )
    sessions = pl.DataFrame(
        {
            "sourcedId": ["sy2026", "t2026-1", "t2026-2"],
            "title": ["2025-2026", "Fall", "Spring"],
            "type": ["schoolYear", "term", "term"],
            "startDate": ["2025-08-15", "2025-08-15", "2026-01-10"],
            "endDate": ["2026-06-15", "2026-01-10", "2026-06-15"],
            "parentSourcedId": [None, "sy2026", "sy2026"],
            "schoolYear": ["2026", "2026", "2026"],
        }
    )
    courses = pl.select(
        sourcedId=_ids("crs", 40, 3),
        title=pl.format("Course {}", pl.int_range(1, 41)),
        orgSourcedId=pl.lit("district"),
        schoolYearSourcedId=pl.lit("sy2026"),
    )
    class_index = pl.int_range(0, shape.classes)
    classes = pl.select(
        sourcedId=_ids("cls", shape.classes),
        title=pl.format("Section {}", pl.int_range(1, shape.classes + 1)),
        courseSourcedId=pl.lit("crs") + (class_index % 40 + 1).cast(pl.String).str.zfill(3),
        classType=pl.lit("scheduled"),
        schoolSourcedId=pl.lit("sch")
        + (class_index % shape.schools + 1).cast(pl.String).str.zfill(3),
        termSourcedIds=pl.lit("t2026-1,t2026-2"),
    )
    i = pl.int_range(0, students)
    household = (i * 5) // 7
    two_guardians = (household.hash(s) % 10) < 8
    student_rows = pl.select(
        sourcedId=pl.int_range(1, students + 1).cast(pl.String).str.zfill(7),
        orgSourcedIds=pl.lit("sch") + (i % shape.schools + 1).cast(pl.String).str.zfill(3),
        role=pl.lit("student"),
        givenName=_pick(FIRST, i.hash(s + 1)),
        familyName=_pick(LAST, household.hash(s + 2)),
        email=pl.format("s{}@students.sample.k12.us", i + 1),
        sms=pl.lit(None, pl.String),
        phone=pl.lit(None, pl.String),
        agentSourcedIds=pl.when(two_guardians)
        .then(pl.format("g{}a,g{}b", household, household))
        .otherwise(pl.format("g{}a", household)),
        grades=_pick(GRADES, i.hash(s + 3)),
        language=pl.lit(None, pl.String),
    )
    h = pl.int_range(0, shape.households)
    guardian_a = pl.select(h=h, suffix=pl.lit("a"))
    guardian_b = pl.select(h=h, suffix=pl.lit("b")).filter((pl.col("h").hash(s) % 10) < 8)
    guardians = pl.concat([guardian_a, guardian_b]).select(
        sourcedId=pl.format("g{}{}", pl.col("h"), pl.col("suffix")),
        orgSourcedIds=pl.lit("sch")
        + ((pl.col("h") * 7 // 5) % shape.schools + 1).cast(pl.String).str.zfill(3),
        role=pl.when(pl.col("suffix") == "a").then(pl.lit("parent")).otherwise(pl.lit("guardian")),
        givenName=_pick(FIRST, pl.col("h").hash(s + 4) + pl.col("suffix").hash(1)),
        familyName=_pick(LAST, pl.col("h").hash(s + 2)),
        email=pl.format("parent{}{}@mail.example.org", pl.col("h"), pl.col("suffix")),
        sms=_phone(pl.col("h") * 2 + (pl.col("suffix") == "b").cast(pl.Int64) + s),
        phone=pl.when(pl.col("h") % 3 == 0).then(_phone(pl.col("h") + 7 * s)).otherwise(None),
        agentSourcedIds=pl.lit(None, pl.String),
        grades=pl.lit(None, pl.String),
        language=_pick(LANGS, pl.col("h").hash(s + 5)),
    )
    t = pl.int_range(0, shape.teachers)
    teachers = pl.select(
        sourcedId=_ids("t", shape.teachers, 6),
        orgSourcedIds=pl.lit("sch") + (t % shape.schools + 1).cast(pl.String).str.zfill(3),
        role=pl.lit("teacher"),
        givenName=_pick(FIRST, t.hash(s + 6)),
        familyName=_pick(LAST, t.hash(s + 7)),
        email=pl.format("teacher{}@sample.k12.us", t + 1),
        sms=_phone(t + 900_000 + s),
        phone=pl.lit(None, pl.String),
        agentSourcedIds=pl.lit(None, pl.String),
        grades=pl.lit(None, pl.String),
        language=pl.lit(None, pl.String),
    )
    users = pl.concat(
        [student_rows, teachers, guardians.with_columns(pl.col("language").replace("", None))]
    )
    per_school = shape.classes // shape.schools
    k = pl.int_range(0, ENROLLMENTS_PER_STUDENT)
    student_enrollments = (
        pl.select(i=i)
        .join(pl.select(k=k), how="cross")
        .select(
            userSourcedId=(pl.col("i") + 1).cast(pl.String).str.zfill(7),
            classIndex=((pl.col("i") // shape.schools * 3 + pl.col("k") * 7) % per_school)
            * shape.schools
            + pl.col("i") % shape.schools,
            role=pl.lit("student"),
        )
    )
    teacher_enrollments = pl.select(
        userSourcedId=pl.lit("t")
        + ((pl.int_range(0, shape.classes) % shape.teachers) + 1).cast(pl.String).str.zfill(6),
        classIndex=pl.int_range(0, shape.classes),
        role=pl.lit("teacher"),
    )
    enrollments = pl.concat([teacher_enrollments, student_enrollments]).select(
        sourcedId=_ids("e", students * ENROLLMENTS_PER_STUDENT + shape.classes, 9),
        classSourcedId=pl.lit("cls") + (pl.col("classIndex") + 1).cast(pl.String).str.zfill(7),
        schoolSourcedId=pl.lit("sch")
        + (pl.col("classIndex") % shape.schools + 1).cast(pl.String).str.zfill(3),
        userSourcedId=pl.col("userSourcedId"),
        role=pl.col("role"),
    )
    return {
        "orgs": orgs,
        "academicSessions": sessions,
        "courses": courses,
        "classes": classes,
        "users": users,
        "enrollments": enrollments,
    }


def add_mistakes(files: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The deliberate mistakes of the bundled sample: each one a finding a district would see."""
    users, enrollments, classes = files["users"], files["enrollments"], files["classes"]

    def set_cell(frame: pl.DataFrame, sid: str, **values: str) -> pl.DataFrame:
        return frame.with_columns(
            pl.when(pl.col("sourcedId") == sid).then(pl.lit(v)).otherwise(pl.col(c)).alias(c)
            for c, v in values.items()
        )

    users = set_cell(users, "0000003", grades="Grade 3")  # USR_GRADE_MAPPED
    users = set_cell(users, "0000004", grades="Year 14")  # USR_GRADE_INVALID
    users = set_cell(users, "t000001", role="Teacher")  # USR_ROLE_MAPPED
    users = set_cell(users, "g1a", email="parent.at.example.org")  # USR_EMAIL_INVALID
    users = set_cell(users, "g2a", sms="555-0100")  # USR_SMS_INVALID
    users = set_cell(users, "g3a", language="Spanish")  # USR_LANGUAGE_MAPPED
    users = set_cell(users, "g4a", language="Parseltongue")  # USR_LANGUAGE_INVALID
    many = ",".join(f"g{h}a" for h in range(10, 17))
    users = set_cell(users, "0000020", agentSourcedIds=many)  # USR_TOO_MANY_GUARDIANS
    duplicate = users.filter(pl.col("sourcedId") == "0000030").with_columns(givenName=pl.lit("Zed"))
    users = pl.concat([users, duplicate])  # USR_ID_DUPLICATE (twice)
    enrollments = pl.concat(
        [
            enrollments,
            pl.DataFrame(
                {
                    "sourcedId": ["e-zeros", "e-unknown"],
                    "classSourcedId": ["cls0000001", "cls9999999"],
                    "schoolSourcedId": ["sch001", "sch001"],
                    "userSourcedId": ["42", "0000005"],  # ENR_USER_LEADING_ZEROS, ENR_CLASS_UNKNOWN
                    "role": ["student", "student"],
                }
            ),
        ]
    )
    classes = pl.concat(
        [
            classes,
            pl.DataFrame(
                {
                    "sourcedId": ["cls-orphan"],
                    "title": ["Orphan section"],
                    "schoolSourcedId": ["sch999"],
                }
            ),  # CLS_SCHOOL_UNKNOWN
        ],
        how="diagonal",
    )
    return {**files, "users": users, "enrollments": enrollments, "classes": classes}


def guardians_upload(files: dict[str, pl.DataFrame], rows: int) -> pl.DataFrame:
    """A guardians.csv for the district: each student's guardians, plus new ones up to ``rows``."""
    users = files["users"]
    students = users.filter(pl.col("role") == "student")
    known = (
        students.select(
            pl.col("sourcedId").alias("studentSourcedId"),
            pl.col("agentSourcedIds").str.split(",").alias("guardianSourcedId"),
        )
        .explode("guardianSourcedId")
        .join(
            users.select(
                pl.col("sourcedId").alias("guardianSourcedId"),
                "givenName",
                "familyName",
                "email",
                "sms",
                "phone",
                "language",
            ),
            on="guardianSourcedId",
        )
    )
    extra = max(0, rows - known.height)
    k = pl.int_range(0, extra)
    new = pl.select(
        studentSourcedId=(k * 7 % students.height + 1).cast(pl.String).str.zfill(7),
        guardianSourcedId=pl.lit(None, pl.String),
        givenName=_pick(FIRST, k.hash(3)),
        familyName=_pick(LAST, k.hash(4)),
        email=pl.format("new{}@mail.example.org", k),
        sms=_phone(k + 5_000_000),
        phone=pl.lit(None, pl.String),
        language=_pick(LANGS, k.hash(5)).replace("", None),
    )
    return pl.concat([known, new]).head(rows)


MANIFEST_FILES = ("academicSessions", "classes", "courses", "enrollments", "orgs", "users")
ALL_MANIFEST_KEYS = (
    "academicSessions", "categories", "classes", "classResources", "courses", "courseResources",
    "demographics", "enrollments", "lineItems", "orgs", "resources", "results", "users",
)  # fmt: skip


def write(files: dict[str, pl.DataFrame], out: Path) -> None:
    """Write the files and a OneRoster 1.1 bulk manifest to ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in files.items():
        frame.write_csv(out / f"{name}.csv", null_value="")
    manifest = pl.DataFrame(
        {
            "propertyName": ["manifest.version", "oneroster.version"]
            + [f"file.{k}" for k in ALL_MANIFEST_KEYS],
            "value": ["1.0", "1.1"]
            + ["bulk" if k in files else "absent" for k in ALL_MANIFEST_KEYS],
        }
    )
    manifest.write_csv(out / "manifest.csv")


def main(argv: list[str] | None = None) -> None:
    """Command line: generate a district into a folder."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--mistakes", action="store_true", help="add the sample's deliberate mistakes"
    )
    args = parser.parse_args(argv)
    files = generate(args.students, args.seed)
    if args.mistakes:
        files = add_mistakes(files)
    write(files, args.out)


if __name__ == "__main__":
    main()
