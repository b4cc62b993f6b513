"""Asset checks that ask DuckDB: referential integrity and unique ids in the published tables."""

from collections.abc import Iterator

import dagster as dg

from roster_pipeline.defs.resources import DistrictResource
from roster_pipeline.warehouse import Warehouse

# (asset, check name, description, SQL counting violations). SQL is fixed text, no user data.
INTEGRITY_CHECKS: tuple[tuple[str, str, str, str], ...] = (
    (
        "enrollments",
        "enrollments_users_exist",
        "Every enrollment's user is in users.",
        "SELECT count(*) FROM enrollments e ANTI JOIN users u ON u.sourced_id = e.user_sourced_id",
    ),
    (
        "enrollments",
        "enrollments_classes_exist",
        "Every enrollment's class is in classes.",
        "SELECT count(*) FROM enrollments e "
        "ANTI JOIN classes c ON c.sourced_id = e.class_sourced_id",
    ),
    (
        "classes",
        "classes_schools_exist",
        "Every class's school is in orgs.",
        "SELECT count(*) FROM classes c ANTI JOIN orgs o ON o.sourced_id = c.school_sourced_id",
    ),
    (
        "users",
        "users_orgs_exist",
        "Every organisation a user belongs to is in orgs.",
        "SELECT count(*) FROM (SELECT unnest(org_sourced_ids) AS org FROM users) x "
        "ANTI JOIN orgs o ON o.sourced_id = x.org",
    ),
    (
        "student_guardians",
        "student_guardians_users_exist",
        "Both ends of every guardian link are users.",
        "SELECT count(*) FROM student_guardians g WHERE NOT EXISTS "
        "(SELECT 1 FROM users s WHERE s.sourced_id = g.student_sourced_id) OR NOT EXISTS "
        "(SELECT 1 FROM users p WHERE p.sourced_id = g.guardian_sourced_id)",
    ),
    (
        "student_guardians",
        "student_guardians_at_most_six",
        "No student has more than 6 active guardian links.",
        "SELECT count(*) FROM (SELECT student_sourced_id FROM student_guardians "
        "WHERE status = 'active' GROUP BY 1 HAVING count(*) > 6)",
    ),
    (
        "enrollments",
        "enrollments_in_active_classes",
        "No active enrollment belongs to an archived class or a deactivated user.",
        "SELECT (SELECT count(*) FROM enrollments e SEMI JOIN classes c "
        "ON c.sourced_id = e.class_sourced_id AND c.status = 'tobedeleted' "
        "WHERE e.status = 'active') + (SELECT count(*) FROM enrollments e SEMI JOIN users u "
        "ON u.sourced_id = e.user_sourced_id AND u.status = 'tobedeleted' "
        "WHERE e.status = 'active')",
    ),
    (
        "student_guardians",
        "student_guardians_people_active",
        "No active guardian link points at a deactivated student or guardian.",
        "SELECT (SELECT count(*) FROM student_guardians g SEMI JOIN users u "
        "ON u.sourced_id = g.student_sourced_id AND u.status = 'tobedeleted' "
        "WHERE g.status = 'active') + (SELECT count(*) FROM student_guardians g SEMI JOIN users u "
        "ON u.sourced_id = g.guardian_sourced_id AND u.status = 'tobedeleted' "
        "WHERE g.status = 'active')",
    ),
    *(
        (
            table,
            f"{table}_ids_unique",
            f"sourced_id is unique (and present) in {table}; violations: rows beyond one per id.",
            f"SELECT count(*) - count(DISTINCT sourced_id) FROM {table}",
        )
        for table in ("orgs", "classes", "users", "enrollments", "courses", "academic_sessions")
    ),
)


def violations(warehouse: Warehouse) -> list[tuple[str, str, int]]:
    """(asset, check, violations) of each integrity rule, asked of the published file."""
    with warehouse.reader() as con:
        return [
            (asset, name, int(con.execute(sql).fetchall()[0][0]))
            for asset, name, _, sql in INTEGRITY_CHECKS
        ]


def integrity_evaluations(warehouse: Warehouse) -> list[dg.AssetCheckEvaluation]:
    """The integrity rules' results as events a sync step logs right after its apply."""
    return [
        dg.AssetCheckEvaluation(
            asset_key=dg.AssetKey(asset), check_name=name, passed=n == 0, metadata={"violations": n}
        )
        for asset, name, n in violations(warehouse)
    ]


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(name, asset=asset, description=description)
        for asset, name, description, _ in INTEGRITY_CHECKS
    ],
    description="Referential integrity and unique ids of the published roster tables.",
)
def roster_integrity(district: DistrictResource) -> Iterator[dg.AssetCheckResult]:
    """Ask DuckDB (read-only) for violations of each integrity rule.

    They run after every apply (logged by the sync), and on their own from a table's page.
    """
    for asset, name, n in violations(district.settings().warehouse()):
        yield dg.AssetCheckResult(
            asset_key=asset, check_name=name, passed=n == 0, metadata={"violations": n}
        )


roster_checks = [roster_integrity]
