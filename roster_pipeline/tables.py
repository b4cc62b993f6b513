"""The names of the live tables, for every stage to import (one home, no reaching sideways)."""

from roster_pipeline.specs import LOAD_ORDER, SPECS

ROSTER_TABLES = tuple(SPECS[k].table for k in LOAD_ORDER)
"""The tables made from roster files, in load order (orgs first, enrollments last)."""
LINKS_TABLE = "student_guardians"
"""Typed student-guardian links (from the roster, guardians.csv or relationships)."""
PERMISSIONS_TABLE = "staff_permissions"
"""Staff permissions granted by the district settings."""
